#include "NumericFields.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonValue>

#include <cmath>

namespace iotcore::ui {

namespace {

class FieldCollector
{
public:
    explicit FieldCollector(int limit) : m_limit(limit) {}

    void visit(const QJsonValue &value, const QString &path)
    {
        if (full())
            return;
        switch (value.type()) {
        case QJsonValue::Double:
            add(path, value.toDouble());
            break;
        case QJsonValue::Bool:
            add(path, value.toBool() ? 1.0 : 0.0);
            break;
        case QJsonValue::Object:
            visit(value.toObject(), path);
            break;
        case QJsonValue::Array:
            visit(value.toArray(), path);
            break;
        case QJsonValue::Null:
        case QJsonValue::String:
        case QJsonValue::Undefined:
            break;
        }
    }

    void visit(const QJsonObject &object, const QString &path)
    {
        for (auto it = object.begin(); it != object.end() && !full(); ++it)
            visit(it.value(), join(path, it.key()));
    }

    void visit(const QJsonArray &array, const QString &path)
    {
        for (qsizetype i = 0; i < array.size() && !full(); ++i)
            visit(array.at(i), join(path, QString::number(i)));
    }

    void add(const QString &path, double value)
    {
        if (std::isfinite(value))
            m_fields.push_back({path, value});
    }

    std::vector<NumericField> take() { return std::move(m_fields); }

private:
    bool full() const { return int(m_fields.size()) >= m_limit; }

    static QString join(const QString &path, const QString &key)
    {
        return path.isEmpty() ? key : path + u'.' + key;
    }

    int m_limit;
    std::vector<NumericField> m_fields;
};

} // namespace

std::vector<NumericField> numericFields(QByteArrayView payload, int limit)
{
    FieldCollector collector(limit);
    if (limit <= 0)
        return collector.take();
    // No copy: the payload lives in the message store's arena for the whole call.
    const QByteArray bytes = QByteArray::fromRawData(payload.data(), payload.size());
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(bytes, &error);
    if (error.error == QJsonParseError::NoError && document.isObject()) {
        collector.visit(document.object(), QString());
    } else if (error.error == QJsonParseError::NoError && document.isArray()) {
        collector.visit(document.array(), QString());
    } else {
        // QJsonDocument takes only objects and arrays at the top; a bare number is still JSON.
        bool ok = false;
        const double value = bytes.trimmed().toDouble(&ok);
        if (ok)
            collector.add(QString(), value);
    }
    return collector.take();
}

} // namespace iotcore::ui
