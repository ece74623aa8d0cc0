#pragma once
// Runs a core call on Qt's thread pool and brings back its value or its error as text: nothing
// may escape a pool thread, and the GUI shows the core's message as it is.
#include <QString>
#include <QtConcurrent/QtConcurrentRun>

#include <exception>
#include <type_traits>
#include <utility>

namespace studio {

template <class T>
struct CallOutcome {
    bool ok = false;
    T value{};
    QString error; // when !ok
};

template <class F>
auto runInBackground(F call)
{
    using T = std::decay_t<std::invoke_result_t<F&>>;
    return QtConcurrent::run([call = std::move(call)]() mutable {
        CallOutcome<T> out;
        try {
            out.value = call();
            out.ok = true;
        } catch (const std::exception& e) {
            out.error = QString::fromStdString(e.what());
        } catch (...) {
            out.error = QStringLiteral("unknown error");
        }
        return out;
    });
}

} // namespace studio
