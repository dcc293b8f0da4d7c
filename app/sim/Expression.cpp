#include "Expression.h"

#include <QVarLengthArray>

#include <algorithm>
#include <cmath>

namespace iotcore::sim {

namespace {

// Deeper nesting than anyone writes by hand; the bound keeps the recursive parser's stack small.
constexpr int MaxDepth = 64;

struct Function
{
    QLatin1String name;
    int minArguments;
    int maxArguments; // -1: any number from minArguments
};

} // namespace

// Recursive descent over the grammar
//   sum     := product (('+' | '-') product)*
//   product := unary (('*' | '/') unary)*
//   unary   := ('-' | '+') unary | power
//   power   := primary ('^' unary)?
//   primary := number | name | name '(' sum (',' sum)* ')' | '(' sum ')'
class Expression::Parser
{
public:
    Parser(const QString &text, Expression *out) : m_text(text), m_out(out) {}

    bool parse()
    {
        if (!sum())
            return false;
        skipSpaces();
        if (m_pos < m_text.size())
            return unexpected();
        return true;
    }

    const QString &error() const { return m_error; }

private:
    bool sum()
    {
        if (!product())
            return false;
        while (true) {
            if (accept(u'+')) {
                if (!product())
                    return false;
                appendCode(Code::Add);
            } else if (accept(u'-')) {
                if (!product())
                    return false;
                appendCode(Code::Subtract);
            } else {
                return true;
            }
        }
    }

    bool product()
    {
        if (!unary())
            return false;
        while (true) {
            if (accept(u'*')) {
                if (!unary())
                    return false;
                appendCode(Code::Multiply);
            } else if (accept(u'/')) {
                if (!unary())
                    return false;
                appendCode(Code::Divide);
            } else {
                return true;
            }
        }
    }

    bool unary()
    {
        if (++m_depth > MaxDepth)
            return fail(QStringLiteral("the expression is nested too deeply"));
        bool ok = true;
        if (accept(u'-')) {
            ok = unary();
            appendCode(Code::Negate);
        } else if (accept(u'+')) {
            ok = unary();
        } else {
            ok = power();
        }
        --m_depth;
        return ok;
    }

    bool power()
    {
        if (!primary())
            return false;
        if (accept(u'^')) {
            if (!unary())
                return false;
            appendCode(Code::Power);
        }
        return true;
    }

    bool primary()
    {
        skipSpaces();
        if (m_pos >= m_text.size())
            return fail(QStringLiteral("the expression ends too early"));
        const QChar c = m_text[m_pos];
        if (c.isDigit() || c == u'.')
            return number();
        if (c.isLetter() || c == u'_')
            return name();
        if (accept(u'(')) {
            if (!sum())
                return false;
            return expect(u')');
        }
        return unexpected();
    }

    bool number()
    {
        const qsizetype start = m_pos;
        while (m_pos < m_text.size() && (m_text[m_pos].isDigit() || m_text[m_pos] == u'.'))
            ++m_pos;
        if (m_pos < m_text.size() && (m_text[m_pos] == u'e' || m_text[m_pos] == u'E')) {
            qsizetype exponent = m_pos + 1;
            if (exponent < m_text.size() && (m_text[exponent] == u'+' || m_text[exponent] == u'-'))
                ++exponent;
            if (exponent < m_text.size() && m_text[exponent].isDigit()) {
                m_pos = exponent;
                while (m_pos < m_text.size() && m_text[m_pos].isDigit())
                    ++m_pos;
            }
        }
        bool ok = false;
        const double value = QStringView(m_text).sliced(start, m_pos - start).toDouble(&ok);
        if (!ok) {
            m_pos = start;
            return fail(QStringLiteral("bad number at character %1").arg(start + 1));
        }
        m_out->m_code.push_back({Code::Number, 0, value});
        return true;
    }

    bool name()
    {
        const qsizetype start = m_pos;
        const auto isNameChar = [this](qsizetype i) {
            return m_text[i].isLetterOrNumber() || m_text[i] == u'_' || m_text[i] == u'.';
        };
        while (m_pos < m_text.size() && isNameChar(m_pos))
            ++m_pos;
        const QString name = m_text.sliced(start, m_pos - start);
        skipSpaces();
        if (m_pos < m_text.size() && m_text[m_pos] == u'(')
            return call(name, start);
        if (name.endsWith(u'.') || name.contains(QStringLiteral("..")))
            return fail(QStringLiteral("bad name \"%1\" at character %2").arg(name).arg(start + 1));
        qsizetype index = m_out->m_variables.indexOf(name);
        if (index < 0) {
            index = m_out->m_variables.size();
            m_out->m_variables.append(name);
        }
        m_out->m_code.push_back({Code::Variable, int(index), 0});
        return true;
    }

    bool call(const QString &name, qsizetype start)
    {
        static const std::pair<Function, Code> functions[] = {
            {{QLatin1String("min"), 2, -1}, Code::Min},
            {{QLatin1String("max"), 2, -1}, Code::Max},
            {{QLatin1String("abs"), 1, 1}, Code::Abs},
            {{QLatin1String("clamp"), 3, 3}, Code::Clamp},
            {{QLatin1String("sin"), 1, 1}, Code::Sin},
            {{QLatin1String("cos"), 1, 1}, Code::Cos},
            {{QLatin1String("sqrt"), 1, 1}, Code::Sqrt},
            {{QLatin1String("round"), 1, 2}, Code::Round},
        };
        const auto found = std::find_if(std::begin(functions), std::end(functions),
                                        [&](const auto &f) { return f.first.name == name; });
        if (found == std::end(functions))
            return fail(QStringLiteral("unknown function \"%1\" at character %2")
                                .arg(name)
                                .arg(start + 1));
        const Function &function = found->first;
        expect(u'(');
        int arguments = 0;
        do {
            if (!sum())
                return false;
            ++arguments;
        } while (accept(u','));
        if (!expect(u')'))
            return false;
        if (arguments < function.minArguments
            || (function.maxArguments >= 0 && arguments > function.maxArguments)) {
            const QString wanted = function.maxArguments < 0
                    ? QStringLiteral("at least %1").arg(function.minArguments)
                    : function.minArguments == function.maxArguments
                    ? QString::number(function.minArguments)
                    : QStringLiteral("%1 or %2")
                              .arg(function.minArguments)
                              .arg(function.maxArguments);
            return fail(QStringLiteral("%1() takes %2 arguments, not %3")
                                .arg(name, wanted).arg(arguments));
        }
        m_out->m_code.push_back({found->second, arguments, 0});
        return true;
    }

    void appendCode(Code code) { m_out->m_code.push_back({code, 0, 0}); }

    void skipSpaces()
    {
        while (m_pos < m_text.size() && m_text[m_pos].isSpace())
            ++m_pos;
    }

    bool accept(QChar c)
    {
        skipSpaces();
        if (m_pos < m_text.size() && m_text[m_pos] == c) {
            ++m_pos;
            return true;
        }
        return false;
    }

    bool expect(QChar c)
    {
        if (accept(c))
            return true;
        if (m_pos >= m_text.size())
            return fail(QStringLiteral("\"%1\" missing at the end").arg(c));
        return unexpected();
    }

    bool unexpected()
    {
        return fail(QStringLiteral("unexpected \"%1\" at character %2")
                            .arg(m_text[m_pos])
                            .arg(m_pos + 1));
    }

    bool fail(const QString &why)
    {
        if (m_error.isEmpty())
            m_error = why;
        return false;
    }

    const QString &m_text;
    Expression *m_out;
    qsizetype m_pos = 0;
    int m_depth = 0;
    QString m_error;
};

std::optional<Expression> Expression::parse(const QString &text, QString *error)
{
    Expression expression;
    Parser parser(text, &expression);
    if (!parser.parse()) {
        *error = parser.error();
        return std::nullopt;
    }
    return expression;
}

double Expression::evaluate(std::span<const double> variables) const
{
    QVarLengthArray<double, 32> stack;
    const auto pop = [&stack] {
        const double top = stack.back();
        stack.removeLast();
        return top;
    };
    for (const Instruction &instruction : m_code) {
        switch (instruction.code) {
        case Code::Number:
            stack.append(instruction.number);
            break;
        case Code::Variable:
            stack.append(variables[size_t(instruction.operand)]);
            break;
        case Code::Negate:
            stack.back() = -stack.back();
            break;
        case Code::Abs:
            stack.back() = std::abs(stack.back());
            break;
        case Code::Sin:
            stack.back() = std::sin(stack.back());
            break;
        case Code::Cos:
            stack.back() = std::cos(stack.back());
            break;
        case Code::Sqrt:
            stack.back() = std::sqrt(stack.back());
            break;
        case Code::Min:
        case Code::Max: {
            double result = pop();
            for (int i = 1; i < instruction.operand; ++i) {
                const double next = pop();
                result = instruction.code == Code::Min ? std::min(result, next)
                                                       : std::max(result, next);
            }
            stack.append(result);
            break;
        }
        case Code::Round: {
            const double decimals = instruction.operand == 2 ? std::round(pop()) : 0;
            const double scale = std::pow(10.0, decimals);
            stack.back() = std::round(stack.back() * scale) / scale;
            break;
        }
        case Code::Clamp: {
            const double hi = pop();
            const double lo = pop();
            stack.back() = std::max(lo, std::min(hi, stack.back()));
            break;
        }
        default: {
            const double right = pop();
            double &left = stack.back();
            switch (instruction.code) {
            case Code::Add: left += right; break;
            case Code::Subtract: left -= right; break;
            case Code::Multiply: left *= right; break;
            case Code::Divide: left /= right; break;
            case Code::Power: left = std::pow(left, right); break;
            default: break;
            }
        }
        }
    }
    return stack.isEmpty() ? std::nan("") : stack.back();
}

} // namespace iotcore::sim
