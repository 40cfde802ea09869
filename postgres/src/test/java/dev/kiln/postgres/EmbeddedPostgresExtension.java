package dev.kiln.postgres;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * One embedded PostgreSQL per test class, handed to {@code @BeforeAll} methods as an
 * {@link EmbeddedPostgresServer} parameter and stopped after the class. Where it cannot start,
 * each test is skipped with the reason (Surefire writes it as {@code <skipped message="...">}, which
 * {@code .ci/run} turns into a failure); with {@code -Dkiln.requireTools=true} the tests fail instead.
 */
final class EmbeddedPostgresExtension implements ExecutionCondition, ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(EmbeddedPostgresExtension.class);

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        EmbeddedPostgresServer postgres = server(context);
        if (context.getTestMethod().isEmpty()) {
            // Decided per test: a disabled class would be reported without the reason.
            return ConditionEvaluationResult.enabled("PostgreSQL checked per test");
        }
        if (postgres.running()) {
            return ConditionEvaluationResult.enabled("PostgreSQL at " + postgres.url());
        }
        if (Boolean.getBoolean("kiln.requireTools")) {
            throw new IllegalStateException(postgres.whyNot()
                    + ", and -Dkiln.requireTools=true says tests that need it must run");
        }
        return ConditionEvaluationResult.disabled(postgres.whyNot()
                + "; skipped. Set -Dkiln.requireTools=true to make this a failure");
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == EmbeddedPostgresServer.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return server(context);
    }

    private static EmbeddedPostgresServer server(ExtensionContext context) {
        ExtensionContext classContext = context;
        while (classContext.getTestMethod().isPresent() && classContext.getParent().isPresent()) {
            classContext = classContext.getParent().get();
        }
        return classContext.getStore(NAMESPACE)
                .getOrComputeIfAbsent("server", key -> EmbeddedPostgresServer.start(), EmbeddedPostgresServer.class);
    }
}
