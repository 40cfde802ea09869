package dev.kiln.emulators.aws;

import dev.kiln.emulators.spi.EmulatorServer.Request;

/**
 * Who calls and where: the access key and region named in the SigV4 credential scope
 * ({@code Credential=AKID/20260101/us-east-1/ec2/aws4_request}), the account mapped from the key.
 * Signatures are not verified.
 */
record Caller(String accessKeyId, String account, String region) {

    static Caller of(Request request, QueryParams params, Ec2Config config) {
        String scope = null;
        String auth = request.header("Authorization");
        if (auth != null) {
            int at = auth.indexOf("Credential=");
            if (at >= 0) {
                int end = auth.indexOf(',', at);
                scope = auth.substring(at + "Credential=".length(), end < 0 ? auth.length() : end).trim();
            }
        }
        if (scope == null && params != null) {
            scope = params.get("X-Amz-Credential");
        }
        String key = null;
        String region = config.defaultRegion();
        if (scope != null) {
            String[] parts = scope.split("/");
            key = parts[0];
            if (parts.length >= 3 && !parts[2].isEmpty()) {
                region = parts[2];
            }
        }
        return new Caller(key, config.accountOf(key), region);
    }
}
