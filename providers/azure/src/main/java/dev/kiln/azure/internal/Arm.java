package dev.kiln.azure.internal;

import com.azure.core.credential.TokenCredential;
import com.azure.core.http.HttpClient;
import com.azure.identity.DefaultAzureCredentialBuilder;
import dev.kiln.KilnException;
import dev.kiln.spi.ProviderContext;

/**
 * The provider's way to ARM: no session until Kiln starts the provider, since the session's
 * pipeline waits on the run's gates and time source; then one {@link ArmSession}.
 */
public final class Arm implements AutoCloseable {

    private final AzureSettings settings;
    private volatile ArmSession session;

    public Arm(AzureSettings settings) {
        this.settings = settings;
    }

    public synchronized void start(ProviderContext context) {
        TokenCredential credential = settings.credential();
        if (credential == null && settings.endpoint() == null) {
            credential = new DefaultAzureCredentialBuilder().build();
        }
        HttpClient http = settings.httpClient() != null ? settings.httpClient() : HttpClient.createDefault();
        this.session = new ArmSession(settings.effectiveEnvironment(), settings.tenant(), credential, http,
                context::gate, context.time(), settings.maxAttempts(), settings.operationTimeout());
    }

    /** The started session; every call to ARM goes through it. */
    ArmSession session() {
        ArmSession s = session;
        if (s == null) {
            throw new KilnException("the azure provider was not started: register it with Kiln.builder().provider(..)"
                    + " or call start(context) first");
        }
        return s;
    }

    @Override
    public void close() {
        ArmSession s = session;
        if (s != null) {
            s.close();
        }
    }
}
