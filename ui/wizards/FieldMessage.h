#pragma once

// The line under a form field that says what is wrong with it as the user types (the catalog's
// own wording), or a quiet hint when nothing is.

#include <QLabel>

namespace iotcore::ui {

class FieldMessage : public QLabel
{
    Q_OBJECT

public:
    explicit FieldMessage(QWidget *parent = nullptr);

    // An empty `error` shows the hint (if any) instead.
    void setError(const QString &error);
    void setHint(const QString &hint);
    bool hasError() const { return !m_error.isEmpty(); }
    const QString &error() const { return m_error; }

private:
    void refresh();

    QString m_error;
    QString m_hint;
};

// "registry name must not be empty" → "Registry name must not be empty."
QString sentence(const std::string &message);

} // namespace iotcore::ui
