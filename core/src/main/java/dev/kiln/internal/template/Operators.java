package dev.kiln.internal.template;

import static dev.kiln.internal.template.Evaluator.unknown;

import dev.kiln.template.Evaluation.Reason;
import dev.kiln.template.TemplatePosition;
import java.math.BigDecimal;
import java.util.Objects;

/** HCL2's operators on Kiln's value types. */
final class Operators {

    private Operators() {
    }

    static Object unary(String operator, Object operand, TemplatePosition at) {
        if (operator.equals("!") && operand instanceof Boolean b) {
            return !b;
        }
        if (operator.equals("-") && operand instanceof BigDecimal n) {
            return n.negate();
        }
        throw unknown(Reason.INVALID, operator + " does not apply to " + Functions.describe(operand), at);
    }

    static Object binary(String operator, Object left, Object right, TemplatePosition at) {
        switch (operator) {
            case "==":
                return same(left, right);
            case "!=":
                return !same(left, right);
            case "&&":
            case "||":
                if (left instanceof Boolean a && right instanceof Boolean b) {
                    return operator.equals("&&") ? a && b : a || b;
                }
                break;
            default:
                BigDecimal a = number(left);
                BigDecimal b = number(right);
                if (a != null && b != null) {
                    try {
                        return arithmetic(operator, a, b, at);
                    } catch (ArithmeticException e) {
                        throw unknown(Reason.INVALID, "the result of " + operator + " is out of range", at);
                    }
                }
                break;
        }
        throw unknown(Reason.INVALID, operator + " does not apply to " + Functions.describe(left) + " and "
                + Functions.describe(right), at);
    }

    /** Numbers, and strings that are numbers, as HCL converts them for arithmetic. */
    private static BigDecimal number(Object v) {
        if (v instanceof BigDecimal n) {
            return n;
        }
        if (v instanceof String s) {
            try {
                return new BigDecimal(s.strip());
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }

    private static Object arithmetic(String operator, BigDecimal a, BigDecimal b, TemplatePosition at) {
        switch (operator) {
            case "+":
                return a.add(b);
            case "-":
                return a.subtract(b);
            case "*":
                return a.multiply(b);
            case "/":
            case "%":
                if (b.signum() == 0) {
                    throw unknown(Reason.INVALID, "division by zero", at);
                }
                return operator.equals("/") ? a.divide(b, Evaluator.MATH) : a.remainder(b);
            case "<":
                return a.compareTo(b) < 0;
            case ">":
                return a.compareTo(b) > 0;
            case "<=":
                return a.compareTo(b) <= 0;
            default:
                return a.compareTo(b) >= 0;
        }
    }

    private static boolean same(Object a, Object b) {
        if (a instanceof BigDecimal x && b instanceof BigDecimal y) {
            return x.compareTo(y) == 0;
        }
        return Objects.equals(a, b);
    }
}
