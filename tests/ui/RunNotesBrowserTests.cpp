#include "UiTestSupport.h"

#include "runs/RunBrowser.h"
#include "runs/RunNotesEditor.h"
#include "runs/RunTableModel.h"

#include "data/GeneratedRuns.h"
#include "run/RunIndex.h"
#include "run/RunNotes.h"

#include <catch2/catch.hpp>

#include <QElapsedTimer>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTextCursor>
#include <QTest>
#include <QTreeView>

#include <cstdio>

using studio::RunBrowser;
using studio::RunTableModel;

namespace {

QStringList shownKeys(RunBrowser& browser)
{
    QStringList keys;
    const QAbstractItemModel* shown = browser.list()->model();
    for (int r = 0; r < shown->rowCount(); ++r) {
        const QString group = shown->index(r, RunTableModel::GroupColumn).data().toString();
        const QString name = shown->index(r, RunTableModel::NameColumn).data().toString();
        keys << (group.isEmpty() ? name : group + QLatin1Char('/') + name);
    }
    return keys;
}

} // namespace

TEST_CASE("The Runs tab edits a run's note and tags, shows them and filters by them", "[ui][runs][notes]")
{
    TempDir dir;
    const std::string runs = dir.file("runs");
    fixtures::writeGeneratedRuns(runs, {6, 1, 3, 3});
    RunBrowser browser;
    browser.resize(1200, 800);
    browser.show();
    browser.setRunsFolder(QString::fromStdString(runs));
    uitest::waitForListing(browser);
    REQUIRE(browser.runs().size() == 6);

    // Sorted by the Sweep column, a sweep's trials stand together in trial order.
    browser.list()->sortByColumn(RunTableModel::GroupColumn, Qt::AscendingOrder);
    const QStringList keys = shownKeys(browser);
    INFO(keys.join(QLatin1Char(',')).toStdString());
    CHECK(keys.mid(3, 3) == QStringList{"sweep-00/trial-0000", "sweep-00/trial-0001", "sweep-00/trial-0002"});

    const QString trial = QString::fromStdString(runs + "/sweep-00/trial-0001");
    browser.selectRuns({trial});
    studio::RunNotesEditor* editor = browser.notesEditor();
    REQUIRE(editor->runDir() == trial);
    CHECK_FALSE(editor->saveButton()->isEnabled());
    editor->noteEdit()->setFocus();
    QTest::keyClicks(editor->noteEdit(), "wide minimum");
    editor->tagsEdit()->setFocus();
    QTest::keyClicks(editor->tagsEdit(), "keep, Best  keep");
    CHECK(editor->saveButton()->isEnabled());
    QTest::keyClick(editor->tagsEdit(), Qt::Key_Return); // Enter saves
    CHECK(browser.messageText().contains("Saved"));
    const mnist::RunNotes saved = mnist::readRunNotes(trial.toStdString());
    CHECK(saved.note == "wide minimum");
    CHECK(saved.tags == std::vector<std::string>{"keep", "Best"});
    CHECK_FALSE(editor->saveButton()->isEnabled());
    CHECK(uitest::RunRow(browser, "trial-0001").text(RunTableModel::TagsColumn) == "keep Best");

    // The filter finds the note's words and the tags; tag:NAME is one tag, exactly.
    auto* filter = browser.findChild<QLineEdit*>(QStringLiteral("runFilter"));
    REQUIRE(filter);
    filter->setText(QStringLiteral("MINIMUM"));
    CHECK(browser.shownRunNames() == QStringList{"trial-0001"});
    filter->setText(QStringLiteral("tag:Best"));
    CHECK(browser.shownRunNames() == QStringList{"trial-0001"});
    filter->setText(QStringLiteral("tag:Bes"));
    CHECK(browser.shownRunNames().isEmpty());
    filter->setText(QStringLiteral("sweep-00"));
    CHECK(browser.shownRunNames().size() == 3);
    filter->clear();
    browser.selectRuns({trial}); // a filter that hid it dropped it from the selection
    REQUIRE(editor->runDir() == trial);
    CHECK(editor->noteEdit()->toPlainText() == "wide minimum");

    // Ctrl+Enter in the note saves; the listing read afresh shows the same.
    editor->noteEdit()->setFocus();
    editor->noteEdit()->moveCursor(QTextCursor::End);
    QTest::keyClicks(editor->noteEdit(), " again");
    QTest::keyClick(editor->noteEdit(), Qt::Key_Return, Qt::ControlModifier);
    CHECK(mnist::readRunNotes(trial.toStdString()).note == "wide minimum again");
    uitest::listRuns(browser);
    CHECK(browser.run(trial)->note == "wide minimum again");

    // Selecting another run saves what was typed about the first.
    QTest::keyClicks(editor->tagsEdit(), " later");
    browser.selectRuns({QString::fromStdString(runs + "/sweep-00/trial-0000")});
    CHECK(mnist::readRunNotes(trial.toStdString()).tags == std::vector<std::string>{"keep", "Best", "later"});
    CHECK(editor->runDir().endsWith("trial-0000"));
    CHECK(editor->noteEdit()->toPlainText().isEmpty());

    // A tag that cannot be saved is said, by name, and nothing is written.
    browser.selectRuns({QString::fromStdString(runs + "/20260101-000300-run3")});
    CHECK_FALSE(browser.saveRunNotes(QString::fromStdString(runs + "/nope"), QStringLiteral("x"), {}));
    CHECK(browser.messageText().contains("nope"));
}

TEST_CASE("2,000 runs are shown and filtered on the GUI thread quickly", "[ui][runs][scale]")
{
    TempDir dir;
    const std::string runs = dir.file("runs");
    fixtures::writeGeneratedRuns(runs);
    mnist::writeRunNotes(runs + "/sweep-02/trial-0007", {"the odd one", {"odd"}});
    std::vector<mnist::RunRecord> listed = mnist::listRuns(runs, "");
    REQUIRE(listed.size() == 2000);

    RunBrowser browser;
    browser.resize(1400, 900);
    browser.show();
    uitest::waitForListing(browser); // of no folder: nothing
    // What onListed() does with a listing, timed on this thread (no timing asserted: machines vary;
    // the figures go to docs/benchmarks.md).
    QElapsedTimer timer;
    timer.start();
    browser.model()->setRuns(listed);
    QCoreApplication::processEvents();
    const qint64 setRunsMs = timer.elapsed();
    auto* filter = browser.findChild<QLineEdit*>(QStringLiteral("runFilter"));
    REQUIRE(filter);
    qint64 slowestKeyMs = 0;
    QString typed;
    for (const QChar c : QStringLiteral("odd")) {
        typed += c;
        timer.restart();
        filter->setText(typed);
        QCoreApplication::processEvents();
        slowestKeyMs = std::max(slowestKeyMs, timer.elapsed());
    }
    CHECK(browser.shownRunNames() == QStringList{"trial-0007"});
    timer.restart();
    filter->setText(QStringLiteral("tag:odd"));
    QCoreApplication::processEvents();
    slowestKeyMs = std::max(slowestKeyMs, timer.elapsed());
    CHECK(browser.shownRunNames() == QStringList{"trial-0007"});
    timer.restart();
    filter->clear();
    QCoreApplication::processEvents();
    slowestKeyMs = std::max(slowestKeyMs, timer.elapsed());
    CHECK(browser.shownRunNames().size() == 2000);
    std::printf("GUI thread with 2,000 runs: setRuns %lld ms, slowest filter keystroke %lld ms\n",
                static_cast<long long>(setRunsMs), static_cast<long long>(slowestKeyMs));
}
