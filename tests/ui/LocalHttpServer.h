#pragma once
// A small HTTP/1.1 server on 127.0.0.1 (random port) for the download tests: each path answers
// with a canned response: the whole body, a 404, a body cut short of its Content-Length, or a
// body dribbled out slowly (to be cancelled).
#include <QByteArray>
#include <QHash>
#include <QHostAddress>
#include <QPointer>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>

namespace uitest {

class LocalHttpServer {
public:
    enum class Mode { Ok, NotFound, Truncated, Slow };
    struct Route {
        QByteArray body;
        Mode mode = Mode::Ok;
    };

    LocalHttpServer()
    {
        if (!m_server.listen(QHostAddress::LocalHost, 0))
            throw std::runtime_error("cannot listen on 127.0.0.1");
        QObject::connect(&m_server, &QTcpServer::newConnection, &m_server, [this] {
            while (QTcpSocket* socket = m_server.nextPendingConnection())
                serve(socket);
        });
    }

    void route(const QByteArray& path, Route r) { m_routes.insert(path, std::move(r)); }
    // "http://127.0.0.1:PORT/prefix/"
    QString url(const QString& prefix) const { return QStringLiteral("http://127.0.0.1:%1/%2/").arg(m_server.serverPort()).arg(prefix); }
    int requestCount() const { return m_requests; }

private:
    void serve(QTcpSocket* socket)
    {
        auto request = std::make_shared<QByteArray>();
        QObject::connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        QObject::connect(socket, &QTcpSocket::readyRead, socket, [this, socket, request] {
            request->append(socket->readAll());
            if (!request->contains("\r\n\r\n"))
                return;
            ++m_requests;
            const QList<QByteArray> first = request->left(request->indexOf("\r\n")).split(' ');
            const QByteArray path = first.value(1);
            respond(socket, m_routes.value(path, Route{QByteArray("no such path"), Mode::NotFound}));
        });
    }

    static QByteArray header(int status, const char* reason, qint64 length)
    {
        return QByteArray("HTTP/1.1 ") + QByteArray::number(status) + ' ' + reason +
               "\r\nContent-Type: application/octet-stream\r\nContent-Length: " + QByteArray::number(length) +
               "\r\nConnection: close\r\n\r\n";
    }

    void respond(QTcpSocket* socket, const Route& r)
    {
        switch (r.mode) {
        case Mode::Ok:
            socket->write(header(200, "OK", r.body.size()) + r.body);
            socket->disconnectFromHost();
            break;
        case Mode::NotFound:
            socket->write(header(404, "Not Found", r.body.size()) + r.body);
            socket->disconnectFromHost();
            break;
        case Mode::Truncated:
            // Announces the whole body, sends half, hangs up.
            socket->write(header(200, "OK", r.body.size()) + r.body.left(r.body.size() / 2));
            socket->disconnectFromHost();
            break;
        case Mode::Slow: {
            socket->write(header(200, "OK", r.body.size()));
            auto* timer = new QTimer(socket);
            auto sent = std::make_shared<qint64>(0);
            const QByteArray body = r.body;
            QObject::connect(timer, &QTimer::timeout, socket, [socket, timer, sent, body] {
                const QByteArray chunk = body.mid(*sent, 512);
                *sent += chunk.size();
                socket->write(chunk);
                if (*sent >= body.size()) {
                    timer->stop();
                    socket->disconnectFromHost();
                }
            });
            timer->start(20);
            break;
        }
        }
    }

    QTcpServer m_server;
    QHash<QByteArray, Route> m_routes;
    int m_requests = 0;
};

} // namespace uitest
