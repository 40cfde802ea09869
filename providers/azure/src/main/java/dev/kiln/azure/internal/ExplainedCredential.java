package dev.kiln.azure.internal;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import com.azure.core.credential.TokenRequestContext;
import com.azure.core.exception.ClientAuthenticationException;
import com.azure.identity.CredentialUnavailableException;
import dev.kiln.spi.CredentialsException;
import reactor.core.publisher.Mono;

/**
 * The provider's credential, whose failures say in one sentence that azure has no credentials (or
 * that Entra ID refused them) and where they are read from, instead of azure-identity's account of
 * every credential it tried.
 */
final class ExplainedCredential implements TokenCredential {

    static final String WHERE = "DefaultAzureCredential's places, in order: the variables AZURE_CLIENT_ID with"
            + " AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH and AZURE_TENANT_ID, workload identity"
            + " (AZURE_FEDERATED_TOKEN_FILE), a managed identity, then the logins of the Azure CLI (az login), Azure"
            + " PowerShell and the Azure Developer CLI; or the credential given to AzureProvider.Builder.credential";

    private final TokenCredential delegate;

    ExplainedCredential(TokenCredential delegate) {
        this.delegate = delegate;
    }

    @Override
    public Mono<AccessToken> getToken(TokenRequestContext request) {
        return delegate.getToken(request).onErrorMap(ExplainedCredential::explain);
    }

    @Override
    public AccessToken getTokenSync(TokenRequestContext request) {
        try {
            return delegate.getTokenSync(request);
        } catch (RuntimeException e) {
            throw explain(e);
        }
    }

    static RuntimeException explain(Throwable e) {
        if (e instanceof CredentialUnavailableException) {
            return CredentialsException.missing("azure", "none of DefaultAzureCredential's places had any", WHERE, e);
        }
        if (e instanceof ClientAuthenticationException) {
            return CredentialsException.rejected("azure", "Entra ID refused them", WHERE, e);
        }
        return e instanceof RuntimeException r ? r : new IllegalStateException(e);
    }
}
