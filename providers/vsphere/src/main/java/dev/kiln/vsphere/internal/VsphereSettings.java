package dev.kiln.vsphere.internal;

import dev.kiln.plan.Target;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import javax.net.ssl.SSLContext;

/**
 * What a {@code VsphereProvider.Builder} produced.
 *
 * @param defaultVcenter      the vCenter of every account without its own; null: {@code https://<account>}
 * @param vcenters            vCenter by {@code Target.account()}
 * @param credentials         the credentials of every account without its own
 * @param accountCredentials  credentials by account
 * @param tls                 the TLS context every call uses
 * @param insecure            whether {@code tls} accepts any certificate (told to packer templates)
 * @param datastore           the datastore of targets whose options name none; may be null
 * @param hostMaxCost         {@code vcenter.host}'s maximum provisioning cost
 * @param datastoreMaxCost    a datastore's maximum provisioning cost
 * @param cloneCost           what one build holds of each
 * @param folderVmLimit       VMs allowed in a target's folder (metric {@code instances}); 0 for no such quota
 * @param tagCategory         the tag category of build ids
 * @param expectedBuildTime   the cost model's expected duration of one build
 * @param connectTimeout      TCP and TLS connect timeout
 * @param requestTimeout      limit of one REST call (a clone takes long; Kiln's own calls do not clone)
 */
public record VsphereSettings(URI defaultVcenter, Map<String, URI> vcenters, Credentials credentials,
        Map<String, Credentials> accountCredentials, SSLContext tls, boolean insecure, String datastore,
        long hostMaxCost, long datastoreMaxCost, long cloneCost, long folderVmLimit, String tagCategory,
        Duration expectedBuildTime, Duration connectTimeout, Duration requestTimeout) {

    public VsphereSettings {
        vcenters = Map.copyOf(vcenters);
        accountCredentials = Map.copyOf(accountCredentials);
    }

    /** The vCenter a target's account maps to. */
    public URI vcenterOf(String account) {
        URI mapped = vcenters.get(account);
        if (mapped != null) {
            return mapped;
        }
        return defaultVcenter != null ? defaultVcenter : URI.create("https://" + account);
    }

    public Credentials credentialsOf(String account) {
        return accountCredentials.getOrDefault(account, credentials);
    }

    /** The target's datastore: its option, else the provider's default; null when neither names one. */
    String datastoreOf(Target target) {
        return target.option(Options.DATASTORE, datastore);
    }
}
