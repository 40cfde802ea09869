package dev.kiln.template;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Malformed templates are refused with one paragraph naming file:line:column, what was found and
 * what is allowed. The texts are API: each is asserted whole.
 */
class TemplateErrorsTest {

    @TempDir
    Path dir;

    private static String refusal(String file, String text) {
        TemplateException e = catchThrowableOfType(TemplateException.class,
                () -> PackerTemplate.parse(Path.of(file), text));
        assertThat(e).as("a TemplateException for %s", text).isNotNull();
        return e.getMessage();
    }

    private static String hcl(String text) {
        return refusal("t.pkr.hcl", text);
    }

    private static String json(String text) {
        return refusal("t.json", text);
    }

    // --- HCL2 syntax

    @Test
    void an_unterminated_string_names_where_it_opens() {
        assertThat(hcl("variable \"region\" {\n  default = \"us-east-1\n}\n")).isEqualTo(
                "invalid Packer template: t.pkr.hcl:2:13: unterminated string: no closing '\"' on this line — a"
                        + " quoted string ends on the line it starts; write longer text as a heredoc (<<EOF ... EOF)"
                        + " or with \\n");
    }

    @Test
    void an_unterminated_heredoc_names_its_marker() {
        assertThat(hcl("locals {\n  script = <<EOT\necho hi\n")).isEqualTo(
                "invalid Packer template: t.pkr.hcl:2:12: unterminated heredoc: no line holding only 'EOT' follows"
                        + " — a heredoc ends with a line holding only its marker (EOT)");
    }

    @Test
    void an_unterminated_block_names_the_block_and_its_brace() {
        assertThat(hcl("source \"amazon-ebs\" \"x\" {\n  region = \"a\"\n")).isEqualTo(
                "invalid Packer template: t.pkr.hcl:1:25: unterminated block source \"amazon-ebs\" \"x\": the file"
                        + " ends before the '}' that closes this '{' — every '{' needs its '}'; look for one missing in"
                        + " the block");
    }

    @Test
    void an_attribute_without_its_equals_sign() {
        assertThat(hcl("source \"amazon-ebs\" \"x\" {\n  region \"us-east-1\"\n}\n")).isEqualTo(
                "invalid Packer template: t.pkr.hcl:2:21: found the end of the line after 'region \"us-east-1\"' — an"
                        + " attribute is written region = value; a block is written region \"label\" { ... } with its"
                        + " '{' on the same line");
    }

    @Test
    void an_attribute_without_a_value() {
        assertThat(hcl("locals {\n  a = }\n")).isEqualTo(
                "invalid Packer template: t.pkr.hcl:2:7: found '}' where a value was expected — a value is a string,"
                        + " a number, true, false, null, a list [...], an object {...}, a reference such as var.name,"
                        + " or a function call such as lower(...)");
    }

    @Test
    void an_unexpected_character() {
        assertThat(hcl("locals {\n  x = @\n}\n")).isEqualTo(
                "invalid Packer template: t.pkr.hcl:2:7: unexpected character '@' — HCL2 is written with names,"
                        + " numbers, strings in double quotes, heredocs (<<EOF), operators, brackets and comments"
                        + " (#, //, /* */)");
    }

    @Test
    void a_list_never_closed() {
        assertThat(hcl("locals {\n  a = [1, 2\n}\n")).isEqualTo(
                "invalid Packer template: t.pkr.hcl:3:1: found '}' in the list opened at 2:7 — list items are"
                        + " separated by ',' and the list ends with ']'");
    }

    @Test
    void an_attribute_set_twice_in_a_block() {
        assertThat(hcl("source \"a\" \"b\" {\n  region = \"x\"\n  region = \"y\"\n}\n")).isEqualTo(
                "invalid Packer template: t.pkr.hcl:3:3: 'region' is set a second time in this block (first at 2:3)"
                        + " — each attribute once per block");
    }

    @Test
    void an_invalid_escape() {
        assertThat(hcl("locals {\n  b = \"C:\\qemu\"\n}\n")).isEqualTo(
                "invalid Packer template: t.pkr.hcl:2:10: invalid escape '\\q' in a string — escapes are \\n \\r \\t"
                        + " \\\" \\\\ \\uNNNN \\UNNNNNNNN; write $${ and %%{ for a literal ${ and %{");
    }

    @Test
    void an_unterminated_comment() {
        assertThat(hcl("/* never closed\nlocals {}\n")).isEqualTo(
                "invalid Packer template: t.pkr.hcl:1:1: unterminated comment: this '/*' is never closed — a /*"
                        + " comment ends with */");
    }

    // --- HCL2 structure

    @Test
    void an_unknown_top_level_block_suggests_the_likely_one() {
        assertThat(hcl("sourc \"amazon-ebs\" \"x\" {\n}\n")).isEqualTo(
                "invalid Packer template: t.pkr.hcl:1:1: unknown block type 'sourc' at the top level (did you mean"
                        + " 'source'?) — allowed at the top level: variable, variables, locals, local, source, build,"
                        + " data, packer");
    }

    @Test
    void a_source_with_one_label() {
        assertThat(hcl("source \"amazon-ebs\" {\n}\n")).isEqualTo(
                "invalid Packer template: t.pkr.hcl:1:1: block 'source' with 1 label — write it as source \"TYPE\""
                        + " \"NAME\" { ... }, e.g. source \"amazon-ebs\" \"ubuntu\" { ... }");
    }

    @Test
    void a_duplicate_variable_names_both_places() {
        assertThat(hcl("variable \"region\" {\n}\n\nvariable \"region\" {\n  type = string\n}\n")).isEqualTo(
                "invalid Packer template: t.pkr.hcl:4:1: variable 'region' is declared twice (first at"
                        + " t.pkr.hcl:1:1) — declare each once across the template's files");
    }

    @Test
    void a_build_naming_a_source_nobody_declared() {
        assertThat(hcl("source \"amazon-ebs\" \"ubuntu\" {\n}\nbuild {\n  sources = [\"source.amazon-ebs.ubunt\"]\n}\n"))
                .isEqualTo("invalid Packer template: t.pkr.hcl:4:14: the build uses source.amazon-ebs.ubunt, which no"
                        + " source block declares (did you mean 'source.amazon-ebs.ubuntu'?) — declared sources:"
                        + " source.amazon-ebs.ubuntu");
    }

    @Test
    void an_undeclared_variable_reference() {
        assertThat(hcl("source \"amazon-ebs\" \"x\" {\n  region = var.regoin\n}\nvariable \"region\" {}\n")).isEqualTo(
                "invalid Packer template: t.pkr.hcl:2:12: var.regoin is not declared (did you mean 'var.region'?) —"
                        + " declared variables: var.region");
    }

    @Test
    void an_unknown_attribute_of_a_variable() {
        assertThat(hcl("variable \"x\" {\n  typ = string\n}\n")).isEqualTo(
                "invalid Packer template: t.pkr.hcl:2:3: unknown attribute 'typ' in variable 'x' (did you mean"
                        + " 'type'?) — allowed in variable 'x': type, default, description, sensitive, nullable");
    }

    @Test
    void a_local_block_without_its_expression() {
        assertThat(hcl("local \"name\" {\n  sensitive = true\n}\n")).isEqualTo(
                "invalid Packer template: t.pkr.hcl:1:1: local 'name' has no expression — write it as local \"name\""
                        + " { expression = ... }");
    }

    @Test
    void every_structure_problem_is_reported_at_once_in_file_order() {
        assertThat(hcl("region = \"x\"\nbuild {\n  provisoner \"shell\" {}\n  sources = [\"amazon-ebs.x\"]\n}\n"))
                .isEqualTo("invalid Packer template (3 problems):\n"
                        + "  t.pkr.hcl:1:1: attribute 'region' at the top level of the template — the top level holds"
                        + " blocks only: variable, variables, locals, local, source, build, data, packer\n"
                        + "  t.pkr.hcl:3:3: unknown block type 'provisoner' in a build (did you mean 'provisioner'?) —"
                        + " allowed in a build: source, provisioner, post-processor, post-processors,"
                        + " error-cleanup-provisioner, hcp_packer_registry\n"
                        + "  t.pkr.hcl:4:14: build source \"amazon-ebs.x\" is not a source address — a build names each"
                        + " source as \"source.TYPE.NAME\", e.g. sources = [\"source.amazon-ebs.ubuntu\"]");
    }

    // --- JSON

    @Test
    void bad_json_names_its_position_a_trailing_comma() {
        assertThat(json("{\n  \"builders\": [\n    {\"type\": \"amazon-ebs\",}\n  ]\n}\n")).isEqualTo(
                "invalid Packer template: t.json:3:27: found '}' right after ',' — JSON allows no comma before a"
                        + " closing bracket: remove it");
    }

    @Test
    void bad_json_names_its_position_a_missing_comma() {
        assertThat(json("{\n  \"builders\": [\n    {\"type\": \"amazon-ebs\" \"region\": \"x\"}\n  ]\n}\n")).isEqualTo(
                "invalid Packer template: t.json:3:27: found '\"' where ',' or '}' was expected — JSON: an object's"
                        + " items are \"key\": value, separated by ',', and '}' closes it");
    }

    @Test
    void bad_json_that_ends_too_soon() {
        assertThat(json("{\n  \"builders\": [\n")).isEqualTo(
                "invalid Packer template: t.json:2:15: the file ends inside the list opened here — close it with ']'");
    }

    @Test
    void a_json_string_split_over_lines() {
        assertThat(json("{\n  \"description\": \"two\nlines\"\n}")).isEqualTo(
                "invalid Packer template: t.json:2:18: unterminated string: no closing '\"' on this line — a JSON"
                        + " string ends on the line it starts; write a line break inside it as \\n");
    }

    @Test
    void an_unknown_top_level_key_of_a_json_template() {
        assertThat(json("{\n  \"builder\": []\n}\n")).isEqualTo(
                "invalid Packer template: t.json:2:3: unknown top-level key 'builder' (did you mean 'builders'?) — a"
                        + " JSON template's keys are description, variables, sensitive-variables, builders,"
                        + " provisioners, post-processors, min_packer_version, and comments whose key starts with '_'");
    }

    @Test
    void a_json_variable_that_is_not_a_string() {
        assertThat(json("{\n  \"builders\": [{\"type\": \"null\"}],\n  \"variables\": {\"n\": 5}\n}\n")).isEqualTo(
                "invalid Packer template: t.json:3:22: variable 'n' is a number (5) — a JSON template's variables are"
                        + " strings, or null for a variable that must be given");
    }

    @Test
    void an_unclosed_template_action_is_placed_inside_the_string() {
        assertThat(json("{\n  \"builders\": [{\"type\": \"null\", \"name\": \"{{user `x`\"}]\n}\n")).isEqualTo(
                "invalid Packer template: t.json:2:42: unclosed template action: this '{{' has no '}}' — an action is"
                        + " written {{user `name`}}, {{env `NAME`}}, {{timestamp}} or {{isotime \"2006-01-02\"}}");
    }

    @Test
    void json_builders_with_the_same_name_and_a_provisioner_for_a_missing_one() {
        assertThat(json("{\"builders\": [{\"type\": \"null\"}, {\"type\": \"null\"}],\n \"provisioners\": [{\"type\":"
                + " \"shell\", \"only\": [\"nul\"]}]}")).isEqualTo("invalid Packer template (2 problems):\n"
                        + "  t.json:1:33: a second builder named 'null' (first at 1:15) — the builders of a template"
                        + " need distinct names: give each a \"name\"\n"
                        + "  t.json:2:46: provisioner 'only' names builder 'nul', which the template does not have (did"
                        + " you mean 'null'?) — builder names: null");
    }

    @Test
    void a_duplicate_json_key() {
        assertThat(json("{\"builders\": [{\"type\": \"null\", \"type\": \"x\"}]}")).isEqualTo(
                "invalid Packer template: t.json:1:32: key 'type' appears twice in this object (first at 1:16) — each"
                        + " key once per object");
    }

    @Test
    void hcl2_in_json_syntax_is_named_as_such() {
        assertThat(refusal("t.pkr.json", "{}")).isEqualTo("invalid Packer template: t.pkr.json: HCL2 in JSON syntax"
                + " (*.pkr.json) is not read by Kiln — write the template as *.pkr.hcl, or as a legacy JSON template"
                + " (*.json with \"builders\")");
    }

    // --- files and folders

    @Test
    void a_missing_template() {
        Path missing = dir.resolve("nope.pkr.hcl");

        TemplateException e = catchThrowableOfType(TemplateException.class, () -> PackerTemplate.read(missing));

        assertThat(e.getMessage()).isEqualTo("invalid Packer template: " + missing + ": no such file or folder — a"
                + " Packer template is a *.json file, a *.pkr.hcl file or a folder of *.pkr.hcl files");
    }

    @Test
    void a_folder_without_templates() throws IOException {
        Files.writeString(dir.resolve("notes.txt"), "hello");

        TemplateException e = catchThrowableOfType(TemplateException.class, () -> PackerTemplate.read(dir));

        assertThat(e.getMessage()).isEqualTo("invalid Packer template: " + dir + ": the folder holds no *.pkr.hcl file"
                + " — a template folder holds HCL2 files named *.pkr.hcl; give a JSON template as its file");
    }

    @Test
    void a_file_that_is_not_utf8() throws IOException {
        Path file = dir.resolve("latin1.pkr.hcl");
        Files.write(file, new byte[] {'#', ' ', (byte) 0xE9, '\n'});

        TemplateException e = catchThrowableOfType(TemplateException.class, () -> PackerTemplate.read(file));

        assertThat(e.getMessage()).isEqualTo("invalid Packer template: " + file + ": is not UTF-8 text (bad byte at"
                + " offset 2) — save the file as UTF-8");
    }

    @Test
    void a_folder_reports_each_files_syntax_error_and_the_cross_file_problems() throws IOException {
        // Given a syntax error in one file, and a source used in another that only the broken file declared
        Files.writeString(dir.resolve("a-sources.pkr.hcl"), "source \"amazon-ebs\" \"x\" {\n  region = \"a\n}\n");
        Files.writeString(dir.resolve("b-variables.pkr.hcl"), "variable \"region\" {}\nvariable \"zone\" {}\n");
        Files.writeString(dir.resolve("c-build.pkr.hcl"), "variable \"zone\" {}\n\nbuild {\n  sources ="
                + " [\"source.amazon-ebs.x\"]\n}\n");

        TemplateException e = catchThrowableOfType(TemplateException.class, () -> PackerTemplate.read(dir));

        assertThat(e.problems()).extracting(TemplateProblem::describe).containsExactly(
                dir.resolve("a-sources.pkr.hcl") + ":2:12: unterminated string: no closing '\"' on this line — a"
                        + " quoted string ends on the line it starts; write longer text as a heredoc (<<EOF ... EOF)"
                        + " or with \\n",
                dir.resolve("c-build.pkr.hcl") + ":1:1: variable 'zone' is declared twice (first at "
                        + dir.resolve("b-variables.pkr.hcl") + ":2:1) — declare each once across the template's files",
                dir.resolve("c-build.pkr.hcl") + ":4:14: the build uses source.amazon-ebs.x, which no source block"
                        + " declares — declare it: source \"TYPE\" \"NAME\" { ... }");
        assertThat(e.getMessage()).startsWith("invalid Packer template (3 problems):\n  ");
    }

    // --- variable files

    @Test
    void a_variable_file_holds_values_only() throws IOException {
        Path file = dir.resolve("prod.pkrvars.hcl");
        Files.writeString(file, "region = \"eu-west-1\"\nami_name = \"base-${var.version}\"\n");

        TemplateException e = catchThrowableOfType(TemplateException.class, () -> VariableFile.read(file));

        assertThat(e.getMessage()).isEqualTo("invalid variable file: " + file + ":2:1: ami_name ="
                + " \"base-${var.version}\" is not a plain value — a variable file holds values only: strings, numbers,"
                + " bools, null, lists and maps, without references, function calls or ${...}");
    }

    @Test
    void a_json_variable_file_is_an_object() throws IOException {
        Path file = dir.resolve("prod.json");
        Files.writeString(file, "[\"eu-west-1\"]");

        TemplateException e = catchThrowableOfType(TemplateException.class, () -> VariableFile.read(file));

        assertThat(e.getMessage()).isEqualTo("invalid variable file: " + file + ":1:1: the file holds a list — a JSON"
                + " variable file is one object: {\"name\": \"value\", ...}");
    }
}
