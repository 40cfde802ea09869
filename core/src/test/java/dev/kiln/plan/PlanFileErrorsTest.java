package dev.kiln.plan;

import static dev.kiln.plan.PlanFixture.MINIMAL;
import static dev.kiln.plan.PlanFixture.minimalWith;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Error messages are API: each class of bad input, and the exact words the user gets. */
class PlanFileErrorsTest {

    private static final String IMAGE_TAIL = "    builder: amazon-ebs\n";

    @TempDir
    Path dir;

    PlanFixture fixture;

    @BeforeEach
    void setUp() {
        fixture = new PlanFixture(dir);
    }

    /** {@link PlanFixture#MINIMAL} with {@code lines} added to its image. */
    private static String imageWith(String lines) {
        return minimalWith(IMAGE_TAIL, IMAGE_TAIL + lines);
    }

    @Nested
    class Syntax {

        @Test
        void yamlSyntaxErrorNamesLineColumnAndField() {
            // Given a key written where a value was expected
            String yaml = minimalWith("  - provider: gcp\n", "  - provider: gcp: x\n");

            // When it is read / Then the YAML error points at line and column, in our own words
            assertThat(fixture.problems(yaml)).containsExactly(
                    "plan.yaml:8:18: targets[1].provider — not valid YAML: mapping values are not allowed here");
        }

        @Test
        void unclosedListSaysWhereItStarted() {
            // Given a flow list that is never closed
            String yaml = minimalWith("[us-east-1, eu-west-1]", "[us-east-1, eu-west-1");

            // Then
            assertThat(fixture.problems(yaml)).containsExactly("plan.yaml:8:13: targets[0].regions[1] — not valid"
                    + " YAML: expected ',' or ']', but got : (while parsing a flow sequence that starts at line 7,"
                    + " column 14)");
        }

        @Test
        void tabIndentationIsNamed() {
            assertThat(fixture.problems("kiln: 1\n\tname: x\n")).containsExactly("plan.yaml:2:1: kiln — not valid"
                    + " YAML: found character '\\t(TAB)' that cannot start any token. (Do not use \\t(TAB) for"
                    + " indentation)");
        }

        @Test
        void jsonSyntaxErrorNeverRepeatsTheOffendingToken() {
            // Given a JSON plan with a bare word where a string belongs (it could be a password)
            String json = "{\"kiln\": 1, \"name\": hunter2secret}";

            // When it is read as JSON / Then the field and position are named, the token is not
            assertThatExceptionOfType(PlanException.class)
                    .isThrownBy(() -> PlanFile.parse(json, Path.of("plan.json"), PlanFixture.context()))
                    .withMessage("invalid plan: plan.json:1:21: name — not valid JSON: Unrecognized token: was"
                            + " expecting (JSON String, Number, Array, Object or token, 'true' or 'false')");
        }

        @Test
        void emptyFileSaysWhatAPlanNeeds() {
            assertThat(fixture.problems("# nothing yet\n")).containsExactly("plan.yaml:1:1: (top level) — the plan is"
                    + " empty; a plan needs at least kiln: 1, name, environments, targets and images");
        }

        @Test
        void aScalarIsNotAPlan() {
            assertThat(fixture.problems("hello")).containsExactly("plan.yaml:1:1: (top level): 'hello' — expected a"
                    + " mapping with kiln, name, environments, targets and images, got text");
        }

        @Test
        void oneDocumentPerFile() {
            assertThat(fixture.problems(MINIMAL + "---\nkiln: 1\n")).containsExactly("plan.yaml:16:1: (top level) — a"
                    + " plan file holds one YAML document; a second one starts here");
        }

        @Test
        void absurdNestingIsRefusedWithoutRecursingIntoIt() {
            // Given a list nested 500 deep where the plan's name belongs
            String yaml = PlanFixture.MINIMAL.replace("name: base-images", "name: " + "[".repeat(500) + "]".repeat(500));

            // Then the depth is refused where it passes the limit, and the name is said to be the wrong type
            assertThat(fixture.problems(yaml)).containsExactly(
                    "plan.yaml:2:7: name — expected text, got a list",
                    "plan.yaml:2:30: name" + "[0]".repeat(23) + " — nested more than 24 levels deep; a plan is never"
                            + " this deep");
        }

        @Test
        void duplicateKeysAreRefused() {
            assertThat(fixture.problems(MINIMAL.replace("name: base-images", "name: base-images\nname: other")))
                    .containsExactly("plan.yaml:3:1: name — duplicate key; it was first written at line 2, column 1");
        }

        @Test
        void aliasesAreRefusedOnceWithoutFollowUpProblems() {
            // Given an alias used as the naming template
            String yaml = MINIMAL.replace("environments: [dev, prod]", "environments: &e [dev, prod]\nnaming: *e");

            // Then only the alias is reported, not the names the alias text would render
            assertThat(fixture.problems(yaml)).containsExactly("plan.yaml:4:9: naming: '*e' — YAML aliases are not"
                    + " supported in plan files; write the value out");
        }
    }

    @Nested
    class Shape {

        @Test
        void unknownKeySuggestsTheClosestAndSaysNothingElse() {
            // Given 'regoins' for 'regions'
            String yaml = minimalWith("regions:", "regoins:");

            // Then the typo is named with a suggestion, and the missing 'regions' is not reported again
            assertThat(fixture.problems(yaml)).containsExactly("plan.yaml:7:5: targets[0].regoins — unknown key; did"
                    + " you mean 'regions'? allowed keys: provider, account, region, regions, custom_regions, options,"
                    + " limits, variables, var_files");
        }

        @Test
        void unknownKeyWithoutACloseMatchListsTheAllowedKeys() {
            assertThat(fixture.problems(MINIMAL + "colour: red\n")).containsExactly("plan.yaml:15:1: colour — unknown"
                    + " key; allowed keys: kiln, name, packer, naming, environments, retry, targets, images");
        }

        @Test
        void wrongTypesNameWhatWasExpected() {
            // Given text for a number, a list for a number and text for a list
            String yaml = imageWith("    vcpus: two\n    disk_gb: [1]\n    environments: prod\n");

            // Then
            assertThat(fixture.problems(yaml)).containsExactly(
                    "plan.yaml:15:12: images[0].vcpus: 'two' — expected a whole number from 1 to 4096",
                    "plan.yaml:16:14: images[0].disk_gb — expected a whole number, got a list",
                    "plan.yaml:17:19: images[0].environments: 'prod' — expected a list, e.g. [prod], got text");
        }

        @Test
        void unquotedAccountIdsAreRefusedWithTheReason() {
            assertThat(fixture.problems(minimalWith("\"123456789012\"", "123456789012"))).containsExactly(
                    "plan.yaml:6:14: targets[0].account: '123456789012' — expected text in quotes, e.g. account:"
                            + " \"123456789012\"; unquoted digits are read as a number and lose leading zeros");
        }

        @Test
        void badDurationsSayHowToWriteOne() {
            assertThat(fixture.problems(imageWith("    timeout: 45 minutes\n    expected: 90\n"))).containsExactly(
                    "plan.yaml:15:14: images[0].timeout: '45 minutes' — not a duration; write 90s, 45m, 2h, 1h30m"
                            + " or ISO-8601 PT45M",
                    "plan.yaml:16:15: images[0].expected: '90' — not a duration; write 90s, 45m, 2h, 1h30m or"
                            + " ISO-8601 PT45M");
        }

        @Test
        void requiredFieldsAreNamedAndEveryProblemIsReportedInFileOrder() {
            // Given a plan of the wrong version, without name, environments or targets, and an image without name or builder
            String yaml = "kiln: 2\nimages:\n  - template: templates/ubuntu.json\n";

            // Then all of it, in file order
            assertThat(fixture.problems(yaml)).containsExactly(
                    "plan.yaml:1:1: name — required: the plan's name, e.g. name: base-images",
                    "plan.yaml:1:1: environments — required: at least one environment, e.g. environments: [dev, prod]",
                    "plan.yaml:1:1: targets — required: at least one target, e.g. - { provider: aws, account:"
                            + " \"123456789012\", region: us-east-1 }",
                    "plan.yaml:1:7: kiln: '2' — unsupported plan format version; this Kiln reads kiln: 1",
                    "plan.yaml:3:5: images[0].name — required: the image's name, e.g. name: ubuntu-base",
                    "plan.yaml:3:5: images[0].builder — required: the packer builder type, e.g. builder: amazon-ebs");
        }

        @Test
        void regionOrRegionsButNotBoth() {
            assertThat(fixture.problems(minimalWith("region: us-central1", "region: us-central1\n    regions: [x]")))
                    .containsExactly("plan.yaml:11:14: targets[1].regions — write either region or regions, not both");
        }

        @Test
        void limitsMustHaveOneOfThreeShapes() {
            // Given a half token bucket, a zero window, a typo and a bare number
            String yaml = minimalWith("regions: [us-east-1, eu-west-1]", """
                    regions: [us-east-1, eu-west-1]
                        limits:
                          RunInstances: { capacity: 5 }
                          gce.reads: { limit: 0, window: 0s }
                          x: { max_cost: 8, capcity: 3 }
                          y: 5""");

            // Then
            assertThat(fixture.problems(yaml)).containsExactly(
                    "plan.yaml:9:21: targets[0].limits.RunInstances — a limit is one of {capacity, refill_per_second}"
                            + " (token bucket), {limit, window} (fixed window) or {max_cost} (concurrency); got"
                            + " {capacity}",
                    "plan.yaml:10:27: targets[0].limits[\"gce.reads\"].limit: '0' — expected a whole number from 1 to"
                            + " 1000000000",
                    "plan.yaml:10:38: targets[0].limits[\"gce.reads\"].window: '0s' — must be longer than zero",
                    "plan.yaml:11:25: targets[0].limits.x.capcity — unknown key; did you mean 'capacity'? allowed"
                            + " keys: capacity, refill_per_second, limit, window, max_cost",
                    "plan.yaml:12:10: targets[0].limits.y: '5' — expected a limit such as { capacity: 5,"
                            + " refill_per_second: 2 }, { limit: 1000, window: 1m } or { max_cost: 8 }, got a number");
        }

        @Test
        void retryValuesAreChecked() {
            String yaml = MINIMAL + "retry: { attempts: 0, backoff: { initial: 10m, multiplier: 0.5 } }\n";
            assertThat(fixture.problems(yaml)).containsExactly(
                    "plan.yaml:15:20: retry.attempts: '0' — expected a whole number from 1 to 100",
                    "plan.yaml:15:32: retry.backoff — initial backoff 10m is longer than max 5m",
                    "plan.yaml:15:60: retry.backoff.multiplier: '0.5' — expected a number of at least 1");
        }

        @Test
        void pinsAreChecked() {
            String yaml = MINIMAL + "packer:\n  version: \"\"\n  plugins:\n    Amazon: { version: latest, sha256: abc }\n";
            assertThat(fixture.problems(yaml)).containsExactly(
                    "plan.yaml:16:12: packer.version: '' — a packer version constraint such as \">= 1.6.0, < 2.0.0\"",
                    "plan.yaml:18:13: packer.plugins.Amazon: 'Amazon' — a plugin name as in packer-plugin-NAME:"
                            + " lowercase letters, digits and '-'",
                    "plan.yaml:18:24: packer.plugins.Amazon.version: 'latest' — an exact plugin version such as"
                            + " \"1.2.8\"",
                    "plan.yaml:18:40: packer.plugins.Amazon.sha256: 'abc' — a SHA-256 checksum: 64 hexadecimal"
                            + " characters");
        }
    }

    @Nested
    class Values {

        @Test
        void accountsAndRegionsFollowTheProvidersFormats() {
            // Given a short AWS account, a GCP project with capitals and a GCP zone for a region
            String yaml = minimalWith("\"123456789012\"", "\"12345\"")
                    .replace("account: kiln-images", "account: Kiln_Images")
                    .replace("region: us-central1", "region: us-central1-a");

            // Then
            assertThat(fixture.problems(yaml)).containsExactly(
                    "plan.yaml:6:14: targets[0].account: '12345' — an AWS account id: 12 digits, in quotes, e.g."
                            + " \"123456789012\"",
                    "plan.yaml:9:14: targets[1].account: 'Kiln_Images' — a GCP project id: 6-30 lowercase letters,"
                            + " digits and '-', starting with a letter and not ending with '-'",
                    "plan.yaml:10:13: targets[1].region: 'us-central1-a' — a GCP region such as us-central1 (a region,"
                            + " not a zone)");
        }

        @Test
        void duplicatesNameTheFirstOccurrence() {
            // Given a repeated environment, region and image, and an environment in capitals
            String yaml = MINIMAL.replace("[dev, prod]", "[dev, prod, dev, Prod]")
                    .replace("[us-east-1, eu-west-1]", "[us-east-1, eu-west-1, us-east-1]")
                    + "  - { name: ubuntu-base, template: templates/null.json, builder: amazon-ebs }\n";

            // Then
            assertThat(fixture.problems(yaml)).containsExactly(
                    "plan.yaml:3:27: environments[2]: 'dev' — duplicate environment; already at line 3"
                            + " (environments[0])",
                    "plan.yaml:3:32: environments[3]: 'Prod' — an environment name: a lowercase letter, then up to 15"
                            + " lowercase letters, digits or '-'",
                    "plan.yaml:7:37: targets[0].regions[2]: 'aws/123456789012/us-east-1' — duplicate target; already"
                            + " at line 7 (targets[0].regions[0])",
                    "plan.yaml:15:13: images[1].name: 'ubuntu-base' — duplicate image name; already at line 12"
                            + " (images[0].name)");
        }

        @Test
        void unknownPlaceholderSuggestsTheClosest() {
            assertThat(fixture.problems(imageWith("    naming: \"{image}-{buildid}\"\n"))).containsExactly(
                    "plan.yaml:15:13: images[0].naming: '{image}-{buildid}' — unknown placeholder {buildid}; allowed:"
                            + " {image}, {env}, {provider}, {account}, {region}, {git_sha}, {timestamp}, {build_id};"
                            + " did you mean {build_id}?");
        }

        @Test
        void invalidAmiNameNamesJobNameAndRule() {
            assertThat(fixture.problems(imageWith("    naming: \"{image}: {env}!\"\n"))).containsExactly(
                    "plan.yaml:15:13: images[0].naming: 'ubuntu-base: dev!' — the image name of job"
                            + " ubuntu-base/aws/123456789012/us-east-1/dev is not a valid aws image name: 3-128"
                            + " characters of letters, digits and ()[] ./-'@_ (got 17 characters); 3 more jobs of this"
                            + " image on aws too");
        }

        @Test
        void invalidGceNameNamesJobNameAndRule() {
            // Given a GCE image whose name renders longer than 63 characters
            String yaml = minimalWith(IMAGE_TAIL, "    builder: googlecompute\n"
                    + "    naming: \"{image}-{env}-{region}-{account}-{timestamp}-{build_id}\"\n");

            // Then
            assertThat(fixture.problems(yaml)).containsExactly(
                    "plan.yaml:15:13: images[0].naming: 'ubuntu-base-dev-us-central1-kiln-images-20240501123045-"
                            + "k3x9a2b1-001' — the image name of job ubuntu-base/gcp/kiln-images/us-central1/dev is"
                            + " not a valid gcp image name: a lowercase RFC 1035 name: a letter, then up to 62"
                            + " lowercase letters, digits or '-', not ending in '-' (got 67 characters); 1 more job of"
                            + " this image on gcp too");
        }

        @Test
        void nameCollisionNamesBothJobsAndSuggestsAPlaceholder() {
            // Given AMI names that leave out the environment
            String yaml = imageWith("    naming: \"{image}-{region}\"\n");

            // Then each clash names both jobs, the scope, and the placeholder that tells them apart
            assertThat(fixture.problems(yaml)).containsExactly(
                    "plan.yaml:15:13: images[0].naming: 'ubuntu-base-us-east-1' — jobs"
                            + " ubuntu-base/aws/123456789012/us-east-1/dev and ubuntu-base/aws/123456789012/us-east-1/prod"
                            + " would both create this image name, and names must be unique per"
                            + " aws/123456789012/us-east-1; add {env} to the name template",
                    "plan.yaml:15:13: images[0].naming: 'ubuntu-base-eu-west-1' — jobs"
                            + " ubuntu-base/aws/123456789012/eu-west-1/dev and ubuntu-base/aws/123456789012/eu-west-1/prod"
                            + " would both create this image name, and names must be unique per"
                            + " aws/123456789012/eu-west-1; add {env} to the name template");
        }

        @Test
        void gceNamesMustBeUniqueAcrossTheProjectsRegions() {
            // Given GCE names without the region, in two regions of one project, for one environment
            String yaml = minimalWith(IMAGE_TAIL, "    builder: googlecompute\n    naming: \"{image}-{env}\"\n"
                    + "    environments: [prod]\n").replace("region: us-central1", "regions: [us-central1, europe-west4]");

            // Then
            assertThat(fixture.problems(yaml)).containsExactly(
                    "plan.yaml:15:13: images[0].naming: 'ubuntu-base-prod' — jobs"
                            + " ubuntu-base/gcp/kiln-images/us-central1/prod and"
                            + " ubuntu-base/gcp/kiln-images/europe-west4/prod would both create this image name, and"
                            + " names must be unique per gcp/kiln-images; add {region} to the name template");
        }

        @Test
        void imageThatMatchesNoTarget() {
            assertThat(fixture.problems(minimalWith("builder: amazon-ebs", "builder: azure-arm"))).containsExactly(
                    "plan.yaml:14:14: images[0].builder: 'azure-arm' — image 'ubuntu-base' matches no target:"
                            + " azure-arm builds run on azure and no target has that provider; add a target or set"
                            + " providers:");
        }

        @Test
        void providersAndEnvironmentsOfAnImageMustExist() {
            String yaml = imageWith("    providers: [aws, gpc]\n    environments: [prod, qa]\n");
            assertThat(fixture.problems(yaml)).containsExactly(
                    "plan.yaml:15:22: images[0].providers[1]: 'gpc' — no target has this provider; did you mean 'gcp'?"
                            + " targets' providers: aws, gcp",
                    "plan.yaml:16:26: images[0].environments[1]: 'qa' — not one of the plan's environments;"
                            + " environments: dev, prod");
        }
    }

    @Nested
    class Templates {

        @Test
        void missingTemplateNamesTheResolvedPath() {
            assertThat(fixture.refuse(minimalWith("templates/ubuntu.json", "templates/nope.json")).getMessage())
                    .isEqualTo("invalid plan: " + dir.resolve("plan.yaml") + ":13:15: images[0].template:"
                            + " 'templates/nope.json' — no such file: " + dir.resolve("templates/nope.json"));
        }

        @Test
        void templateMayNotLeaveThePlansDirectory() {
            assertThat(fixture.problems(minimalWith("templates/ubuntu.json", "../outside.json"))).containsExactly(
                    "plan.yaml:13:15: images[0].template: '../outside.json' — leaves the plan's directory <dir>;"
                            + " templates must live under the directory of the plan file");
        }

        @Test
        void absoluteTemplateOutsideThePlansDirectoryIsRefused() {
            assertThat(fixture.problems(minimalWith("templates/ubuntu.json", "/etc/hostname"))).containsExactly(
                    "plan.yaml:13:15: images[0].template: '/etc/hostname' — leaves the plan's directory <dir>;"
                            + " templates must live under the directory of the plan file");
        }

        @Test
        void absoluteTemplateInsideThePlansDirectoryIsFine() {
            BuildPlan plan = fixture.parse(minimalWith("templates/ubuntu.json",
                    dir.resolve("templates/ubuntu.json").toString()));
            assertThat(plan.jobs().get(0).image().template()).isEqualTo(dir.resolve("templates/ubuntu.json"));
        }

        @Test
        void symbolicLinkOutOfThePlansDirectoryIsRefused(@TempDir Path elsewhere) throws IOException {
            // Given a template that is a link to a file outside the plan's directory
            Path outside = Files.writeString(elsewhere.resolve("outside.json"), "{}");
            Files.createSymbolicLink(dir.resolve("templates/link.json"), outside);

            // When the plan uses it
            PlanException e = fixture.refuse(minimalWith("templates/ubuntu.json", "templates/link.json"));

            // Then
            assertThat(e.problems()).extracting(Problem::describe).containsExactly(dir.resolve("plan.yaml")
                    + ":13:15: images[0].template: 'templates/link.json' — resolves through a symbolic link to "
                    + outside.toRealPath() + ", outside the plan's directory " + dir + "; templates must live under"
                    + " the directory of the plan file");
            Files.delete(dir.resolve("templates/link.json"));
        }
    }

    @Nested
    class Dependencies {

        @Test
        void cycleIsNamedFromTheFirstDeclaredImage() {
            String yaml = MINIMAL + "    depends_on: [app]\n"
                    + "  - { name: app, template: templates/null.json, builder: amazon-ebs, depends_on: [tools] }\n"
                    + "  - { name: tools, template: templates/null.json, builder: amazon-ebs, depends_on: [ubuntu-base] }\n";
            assertThat(fixture.problems(yaml)).containsExactly(
                    "plan.yaml:15:18: images[0].depends_on[0] — dependency cycle: ubuntu-base -> app -> tools ->"
                            + " ubuntu-base");
        }

        @Test
        void selfDependencyAndUnknownImages() {
            String yaml = MINIMAL + "    depends_on: [ubuntu-base, nope-image, ubuntu-bas]\n";
            assertThat(fixture.problems(yaml)).containsExactly(
                    "plan.yaml:15:18: images[0].depends_on[0] — dependency cycle: ubuntu-base -> ubuntu-base",
                    "plan.yaml:15:31: images[0].depends_on[1]: 'nope-image' — no image has this name; images:"
                            + " ubuntu-base",
                    "plan.yaml:15:43: images[0].depends_on[2]: 'ubuntu-bas' — no image has this name; did you mean"
                            + " 'ubuntu-base'? images: ubuntu-base");
        }

        @Test
        void dependencyWithoutABuildOnTheSameAccountAndEnvironment() {
            String yaml = MINIMAL + "  - { name: app, template: templates/null.json, builder: googlecompute,"
                    + " depends_on: [ubuntu-base] }\n";
            assertThat(fixture.problems(yaml)).containsExactly(
                    "plan.yaml:15:86: images[1].depends_on[0]: 'ubuntu-base' — image 'app' builds on gcp/kiln-images"
                            + " in dev, where 'ubuntu-base' has no build; a build waits only for builds on its own"
                            + " provider, account and environment");
        }
    }

    @Nested
    class EnvironmentAndSecrets {

        @Test
        void missingEnvironmentVariableIsNamed() {
            String yaml = imageWith("    variables: { api: \"${env:MISSING_TOKEN}\", bad: \"${env:1x}\" }\n");
            assertThat(fixture.problems(yaml)).containsExactly(
                    "plan.yaml:15:23: images[0].variables.api: '${env:MISSING_TOKEN}' — environment variable"
                            + " MISSING_TOKEN is not set",
                    "plan.yaml:15:52: images[0].variables.bad: '${env:1x}' — a reference to the environment is written"
                            + " ${env:NAME}, NAME being letters, digits and '_', not starting with a digit");
        }

        @Test
        void sensitiveNamesMustBeVariables() {
            String yaml = imageWith("    variables: { db_password: \"${env:DB_PASSWORD}\" }\n"
                    + "    sensitive: [db_password, db_pasword]\n");
            assertThat(fixture.problems(yaml)).containsExactly(
                    "plan.yaml:16:30: images[0].sensitive[1]: 'db_pasword' — not a variable of this image, so nothing"
                            + " is masked; did you mean 'db_password'? variables: db_password");
        }

        @Test
        void secretValueIsMaskedInItsOwnProblem() {
            // Given a sensitive variable written with a literal part and an unset reference
            String yaml = imageWith("    variables: { db_password: \"" + PlanFixture.DB_PASSWORD + "${env:NOPE}\" }\n"
                    + "    sensitive: [db_password]\n");

            // When it is refused
            PlanException e = fixture.refuse(yaml);

            // Then the reference is shown, the literal is not
            assertThat(e.problems()).extracting(p -> p.describe().replace(dir + "/", "")).containsExactly(
                    "plan.yaml:15:31: images[0].variables.db_password: '****${env:NOPE}' — environment variable"
                            + " NOPE is not set");
            assertThat(e.getMessage()).doesNotContain(PlanFixture.DB_PASSWORD);
        }

        @Test
        void secretValueIsMaskedWhereverItWasPastedByMistake() {
            // Given a secret read from the environment, and the same value pasted into a name template
            String yaml = imageWith("    variables: { db_password: \"${env:DB_PASSWORD}\" }\n"
                    + "    sensitive: [db_password]\n"
                    + "    naming: \"" + PlanFixture.DB_PASSWORD + "-{nope}\"\n");

            // When it is refused
            PlanException e = fixture.refuse(yaml);

            // Then the value never appears, not even in an unrelated problem
            assertThat(e.problems()).extracting(p -> p.describe().replace(dir + "/", "")).containsExactly(
                    "plan.yaml:17:13: images[0].naming: '****-{nope}' — unknown placeholder {nope}; allowed: {image},"
                            + " {env}, {provider}, {account}, {region}, {git_sha}, {timestamp}, {build_id}");
            assertThat(e.getMessage()).doesNotContain(PlanFixture.DB_PASSWORD);
        }

        @Test
        void aSecretTooShortToMaskIsRefusedWithTheReason() {
            // Given issue 14: a one-character secret, which masking turned into garbled logs
            String yaml = imageWith("    variables: { db_password: p, note: Unsupported }\n"
                    + "    sensitive: [db_password]\n");

            // Then it is refused, and no other text is garbled by masking it
            assertThat(fixture.problems(yaml)).containsExactly("plan.yaml:15:31: images[0].variables.db_password —"
                    + " sensitive, but shorter than 8 characters: a value this short cannot be masked in logs and"
                    + " reports without hiding ordinary text, and protects little; use a longer secret, or take"
                    + " db_password out of sensitive if it is no secret");
        }

        @Test
        void aSecretThatIsAnOrdinaryWordIsRefused() {
            // Given issue 14: a secret that is a common word, which masked every mention of it
            String yaml = imageWith("    variables: { db_password: Swordfish }\n    sensitive: [db_password]\n");

            // Then
            assertThat(fixture.problems(yaml)).containsExactly("plan.yaml:15:31: images[0].variables.db_password —"
                    + " sensitive, but a single word of letters: ordinary text holds words like it, and masking it"
                    + " would hide them too; use a longer secret with digits or symbols, or take db_password out of"
                    + " sensitive if it is no secret");
        }

        @Test
        void aSecretWrittenElsewhereInThePlanOrTheTemplateIsRefused() {
            // Given a "secret" that the plan also gives as an ordinary variable, and one the template holds
            fixture.write("templates/ubuntu.json", PlanFixture.TEMPLATE.replace("\"variables\": {",
                    "\"variables\": { \"release\": \"ubuntu-22.04-lts\","));
            String yaml = imageWith("    variables: { release: ubuntu-22.04, db_password: ubuntu-22.04,"
                    + " api_token: ubuntu-22.04-lts }\n    sensitive: [db_password, api_token]\n");

            // Then both are refused, saying where the value is written
            assertThat(fixture.problems(yaml)).containsExactly(
                    "plan.yaml:15:54: images[0].variables.db_password — sensitive, but its value is also written in"
                            + " the plan, as images[0].variables.release: masking it would hide that text too, and a"
                            + " value written there is no secret; give db_password a value of its own, or take it"
                            + " out of sensitive",
                    "plan.yaml:15:79: images[0].variables.api_token — sensitive, but its value is also written in the"
                            + " template templates/ubuntu.json: masking it would hide that text too, and a value"
                            + " written there is no secret; give api_token a value of its own, or take it out of"
                            + " sensitive");
        }

        @Test
        void planningWithoutTheSecretsLeavesAnUnsetOneEmpty() {
            // Given a secret from a variable that is not set, read as kiln plan --offline reads plans
            String yaml = imageWith("    variables: { db_password: \"pre-${env:NOT_SET_HERE}\" }\n"
                    + "    sensitive: [db_password]\n");

            // When
            BuildPlan plan = PlanFile.parse(yaml, fixture.planPath(), PlanFixture.context().withSecretsOptional(true));

            // Then the value is empty, never half known; without the option it is still a problem
            assertThat(plan.jobs().get(0).image().variables()).containsEntry("db_password", "");
            assertThat(fixture.problems(yaml)).singleElement().asString().contains("NOT_SET_HERE is not set");
        }

        @Test
        void secretValuesNeverShowInTheImageSpec() {
            // Given a plan with a secret
            BuildPlan plan = fixture.parse(imageWith("    variables: { db_password: \"${env:DB_PASSWORD}\", base: u }\n"
                    + "    sensitive: [db_password]\n"));

            // Then the jobs carry it, but their string forms do not
            assertThat(plan.jobs().get(0).image().variables()).containsEntry("db_password", PlanFixture.DB_PASSWORD);
            assertThat(plan.jobs().get(0).toString()).doesNotContain(PlanFixture.DB_PASSWORD).contains("base=u");
        }
    }

    @Nested
    class Files_ {

        @Test
        void missingFile() {
            Path file = dir.resolve("nope.yaml");
            assertThatExceptionOfType(PlanException.class)
                    .isThrownBy(() -> PlanFile.load(file, PlanFixture.context()))
                    .withMessage("invalid plan: " + file + ": (file) — cannot be read: no such file");
        }

        @Test
        void directory() {
            assertThatExceptionOfType(PlanException.class)
                    .isThrownBy(() -> PlanFile.load(dir, PlanFixture.context()))
                    .withMessage("invalid plan: " + dir + ": (file) — cannot be read: it is a directory, not a plan file");
        }

        @Test
        void notUtf8() throws IOException {
            Path file = dir.resolve("latin1.yaml");
            Files.write(file, new byte[] {'k', 'i', 'l', 'n', ':', ' ', (byte) 0xE9, '\n'});
            assertThatExceptionOfType(PlanException.class)
                    .isThrownBy(() -> PlanFile.load(file, PlanFixture.context()))
                    .withMessage("invalid plan: " + file + ": (file) — is not UTF-8 text (bad byte at offset 6); save"
                            + " the plan as UTF-8");
        }
    }
}
