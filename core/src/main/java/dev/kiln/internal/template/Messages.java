package dev.kiln.internal.template;

import dev.kiln.internal.plan.Suggest;
import dev.kiln.template.TemplatePosition;
import dev.kiln.template.TemplateProblem;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Locale;
import java.util.Optional;

/**
 * Every problem a template or variable file can be refused with, in one place: tests assert these
 * texts, so they are API. Each says what was found and what would be accepted; none repeats a value
 * that could be secret beyond the name of the thing at fault.
 */
final class Messages {

    static final String TOP_LEVEL_BLOCKS = "variable, variables, locals, local, source, build, data, packer";

    private Messages() {
    }

    private static TemplateProblem at(TemplatePosition position, String found, String allowed) {
        return new TemplateProblem(position, found, allowed);
    }

    static String didYouMean(String typed, Collection<String> candidates) {
        return didYouMean(Suggest.closest(typed, candidates));
    }

    private static String didYouMean(Optional<String> suggestion) {
        return suggestion.map(s -> " (did you mean '" + s + "'?)").orElse("");
    }

    // --- files

    static TemplateProblem missing(Path path) {
        return at(TemplatePosition.file(path), "no such file or folder",
                "a Packer template is a *.json file, a *.pkr.hcl file or a folder of *.pkr.hcl files");
    }

    static TemplateProblem missingVariableFile(Path path) {
        return at(TemplatePosition.file(path), "no such file",
                "a variable file is a *.json or *.pkrvars.hcl file");
    }

    static TemplateProblem cannotRead(Path path, String reason) {
        return at(TemplatePosition.file(path), "cannot be read (" + reason + ")",
                "a file Kiln's user can read");
    }

    static TemplateProblem notUtf8(Path path, long offset) {
        return at(TemplatePosition.file(path), "is not UTF-8 text (bad byte at offset " + offset + ")",
                "save the file as UTF-8");
    }

    static TemplateProblem emptyFolder(Path folder) {
        return at(TemplatePosition.file(folder), "the folder holds no *.pkr.hcl file",
                "a template folder holds HCL2 files named *.pkr.hcl; give a JSON template as its file");
    }

    static TemplateProblem hclJson(Path file) {
        return at(TemplatePosition.file(file), "HCL2 in JSON syntax (*.pkr.json) is not read by Kiln",
                "write the template as *.pkr.hcl, or as a legacy JSON template (*.json with \"builders\")");
    }

    static TemplateProblem unknownExtension(Path file) {
        return at(TemplatePosition.file(file), "neither a *.json nor a *.pkr.hcl file",
                "a Packer template is a *.json file, a *.pkr.hcl file or a folder of *.pkr.hcl files");
    }

    // --- HCL2 syntax

    static TemplateProblem unexpectedCharacter(TemplatePosition at, int codePoint) {
        String shown = Character.isISOControl(codePoint) || Character.isWhitespace(codePoint)
                ? String.format(Locale.ROOT, "U+%04X", codePoint) : "'" + new String(Character.toChars(codePoint)) + "'";
        return at(at, "unexpected character " + shown,
                "HCL2 is written with names, numbers, strings in double quotes, heredocs (<<EOF), operators,"
                        + " brackets and comments (#, //, /* */)");
    }

    static TemplateProblem unterminatedComment(TemplatePosition at) {
        return at(at, "unterminated comment: this '/*' is never closed", "a /* comment ends with */");
    }

    static TemplateProblem badHeredocStart(TemplatePosition at) {
        return at(at, "'<<' without a heredoc marker alone at the end of its line",
                "a heredoc starts with <<MARKER or <<-MARKER at the end of a line, e.g. <<EOF");
    }

    static TemplateProblem unterminatedString(TemplatePosition at) {
        return at(at, "unterminated string: no closing '\"' on this line",
                "a quoted string ends on the line it starts; write longer text as a heredoc (<<EOF ... EOF)"
                        + " or with \\n");
    }

    static TemplateProblem unterminatedHeredoc(TemplatePosition at, String marker) {
        return at(at, "unterminated heredoc: no line holding only '" + marker + "' follows",
                "a heredoc ends with a line holding only its marker (" + marker + ")");
    }

    static TemplateProblem unterminatedDirective(TemplatePosition at) {
        return at(at, "unterminated directive: this '%{' is never closed with '}'",
                "a directive is written %{ if ... }, %{ for ... }, %{ endif } or %{ endfor }; write %%{ for a literal %{");
    }

    static TemplateProblem badEscape(TemplatePosition at, String escape) {
        return at(at, "invalid escape '" + escape + "' in a string",
                "escapes are \\n \\r \\t \\\" \\\\ \\uNNNN \\UNNNNNNNN; write $${ and %%{ for a literal ${ and %{");
    }

    static TemplateProblem unclosedInterpolation(TemplatePosition at, String found, TemplatePosition open) {
        return at(at, "found " + found + " in the interpolation '${' opened at " + lineColumn(open),
                "an interpolation holds one expression and ends with '}'");
    }

    static TemplateProblem unterminatedBlock(TemplatePosition brace, String owner) {
        return at(brace, "unterminated block " + owner + ": the file ends before the '}' that closes this '{'",
                "every '{' needs its '}'; look for one missing in the block");
    }

    static TemplateProblem strayClosingBrace(TemplatePosition at) {
        return at(at, "'}' with no block open", "remove it, or look above for a block closed twice");
    }

    static TemplateProblem expectedItem(TemplatePosition at, String found) {
        return at(at, "found " + found + " where an attribute or a block was expected",
                "a body holds attributes (name = value) and blocks (type \"label\" { ... }), one per line");
    }

    static TemplateProblem expectedAssignOrBlock(TemplatePosition at, String name, String found) {
        return at(at, "found " + found + " after '" + name + "'",
                "an attribute is written " + name + " = value; a block is written " + name + " \"label\" { ... }");
    }

    static TemplateProblem expectedNewline(TemplatePosition at, String found) {
        return at(at, "found " + found + " after a complete attribute or block",
                "each attribute and block goes on a line of its own");
    }

    static TemplateProblem duplicateAttribute(TemplatePosition at, String name, TemplatePosition first) {
        return at(at, "'" + name + "' is set a second time in this block (first at " + lineColumn(first) + ")",
                "each attribute once per block");
    }

    static TemplateProblem expectedBlockOpen(TemplatePosition at, String header, String found) {
        String name = header.split(" ", 2)[0];
        return at(at, "found " + found + " after '" + header + "'",
                "an attribute is written " + name + " = value; a block is written " + name
                        + " \"label\" { ... } with its '{' on the same line");
    }

    static TemplateProblem labelWithInterpolation(TemplatePosition at) {
        return at(at, "a block label with ${...} or %{...} in it", "block labels are plain strings in double quotes");
    }

    static TemplateProblem expectedValue(TemplatePosition at, String found) {
        return at(at, "found " + found + " where a value was expected",
                "a value is a string, a number, true, false, null, a list [...], an object {...}, a reference such"
                        + " as var.name, or a function call such as lower(...)");
    }

    static TemplateProblem attributeName(TemplatePosition at, String found) {
        return at(at, "found " + found + " after '.'", "an attribute name, as in var.region, or * for a splat");
    }

    static TemplateProblem unclosed(TemplatePosition at, String found, String what, String opener,
            TemplatePosition open, String closer) {
        return at(at, "found " + found + " in the " + what + " '" + opener + "' opened at " + lineColumn(open),
                "close it with '" + closer + "'");
    }

    static TemplateProblem conditionalColon(TemplatePosition at, String found, TemplatePosition question) {
        return at(at, "found " + found + " in the conditional whose '?' is at " + lineColumn(question),
                "a conditional is written condition ? value_if_true : value_if_false");
    }

    static TemplateProblem callSeparator(TemplatePosition at, String found, String function, TemplatePosition open) {
        return at(at, "found " + found + " in the call of " + function + "() opened at " + lineColumn(open),
                "arguments are separated by ',' and the call ends with ')'; only the last may be followed by '...'");
    }

    static TemplateProblem listSeparator(TemplatePosition at, String found, TemplatePosition open) {
        return at(at, "found " + found + " in the list opened at " + lineColumn(open),
                "list items are separated by ',' and the list ends with ']'");
    }

    static TemplateProblem objectSeparator(TemplatePosition at, String found, TemplatePosition open) {
        return at(at, "found " + found + " in the object opened at " + lineColumn(open),
                "object items are written key = value, separated by ',' or new lines, and the object ends with '}'");
    }

    static TemplateProblem objectKey(TemplatePosition at, String key, String found) {
        return at(at, "found " + found + " after the object key '" + key + "'",
                "object items are written key = value; a computed key goes in parentheses: (var.name) = value");
    }

    static TemplateProblem forSyntax(TemplatePosition at, String found, String expected) {
        return at(at, "found " + found + " where " + expected + " was expected in a for expression",
                "a for expression is written [for v in list : value if condition] or {for k, v in map : key => value}");
    }

    static TemplateProblem tooDeep(TemplatePosition at, int limit) {
        return at(at, "expressions or blocks nested (or operators and steps chained) more than " + limit + " deep",
                "nest less deeply, or name parts of the expression as locals");
    }

    static TemplateProblem numberOutOfRange(TemplatePosition at, String text) {
        return at(at, "number " + (text.length() > 40 ? text.substring(0, 40) + "..." : text) + " is out of range",
                "numbers with an exponent between -999999999 and 999999999");
    }

    // --- HCL2 structure

    static TemplateProblem topLevelAttribute(TemplatePosition at, String name) {
        return at(at, "attribute '" + name + "' at the top level of the template",
                "the top level holds blocks only: " + TOP_LEVEL_BLOCKS);
    }

    static TemplateProblem unknownBlock(TemplatePosition at, String type, String where, Collection<String> allowed) {
        return at(at, "unknown block type '" + type + "' " + where + didYouMean(type, allowed),
                allowed.isEmpty() ? "no blocks are allowed " + where
                        : "allowed " + where + ": " + String.join(", ", allowed));
    }

    static TemplateProblem unknownAttribute(TemplatePosition at, String name, String where,
            Collection<String> allowed) {
        return at(at, "unknown attribute '" + name + "' " + where + didYouMean(name, allowed),
                allowed.isEmpty() ? "no attributes are allowed " + where
                        : "allowed " + where + ": " + String.join(", ", allowed));
    }

    static TemplateProblem labels(TemplatePosition at, String type, int count, String form) {
        return at(at, "block '" + type + "' with " + count + (count == 1 ? " label" : " labels"),
                "write it as " + form);
    }

    static TemplateProblem missingAttribute(TemplatePosition at, String name, String owner, String form) {
        return at(at, owner + " has no " + name, "write it as " + form);
    }

    static TemplateProblem notBool(TemplatePosition at, String name, String text) {
        return at(at, name + " = " + text + " is not true or false", "write " + name + " = true or " + name + " = false");
    }

    static TemplateProblem notString(TemplatePosition at, String name) {
        return at(at, name + " is not a plain string", "a string in double quotes, without ${...}");
    }

    static TemplateProblem notStringList(TemplatePosition at, String name) {
        return at(at, name + " is not a list of plain strings",
                "a list of names in double quotes, e.g. " + name + " = [\"amazon-ebs.ubuntu\"]");
    }

    static TemplateProblem duplicate(TemplatePosition at, String what, TemplatePosition first) {
        return at(at, what + " is declared twice (first at " + first + ")",
                "declare each once across the template's files");
    }

    static TemplateProblem badSourceReference(TemplatePosition at, String text) {
        return at(at, "build source " + text + " is not a source address",
                "a build names each source as \"source.TYPE.NAME\", e.g. sources = [\"source.amazon-ebs.ubuntu\"]");
    }

    static TemplateProblem undeclaredSource(TemplatePosition at, String address, Collection<String> declared) {
        return at(at, "the build uses " + address + ", which no source block declares"
                        + didYouMean(address, declared),
                declared.isEmpty() ? "declare it: source \"TYPE\" \"NAME\" { ... }"
                        : "declared sources: " + String.join(", ", declared));
    }

    static TemplateProblem undeclared(TemplatePosition at, String reference, String kind, Collection<String> declared,
            String declareAs) {
        return at(at, reference + " is not declared" + didYouMean(reference, declared),
                declared.isEmpty() ? "declare it: " + declareAs : "declared " + kind + ": " + String.join(", ", declared));
    }

    static TemplateProblem pluginNotObject(TemplatePosition at, String name) {
        return at(at, "required plugin '" + name + "' is not an object",
                "write " + name + " = { version = \">= 1.0.0\", source = \"github.com/hashicorp/" + name + "\" }");
    }

    // --- JSON syntax

    static final String JSON_VALUE = "JSON: a value is a string in double quotes, a number, true, false, null,"
            + " [ ... ] or { ... }";
    static final String JSON_OBJECT = "JSON: an object's items are \"key\": value, separated by ',', and '}' closes it";
    static final String JSON_LIST = "JSON: a list's items are separated by ',', and ']' closes it";

    static TemplateProblem jsonExpected(TemplatePosition at, String found, String expected, String allowed) {
        return at(at, "found " + found + " where " + expected + " was expected", allowed);
    }

    static TemplateProblem jsonTrailingComma(TemplatePosition at, String closer) {
        return at(at, "found '" + closer + "' right after ','", "JSON allows no comma before a closing bracket: remove it");
    }

    static TemplateProblem jsonUnterminated(TemplatePosition open, String what, String closer) {
        return at(open, "the file ends inside the " + what + " opened here", "close it with '" + closer + "'");
    }

    static TemplateProblem jsonUnterminatedString(TemplatePosition at) {
        return at(at, "unterminated string: no closing '\"' on this line",
                "a JSON string ends on the line it starts; write a line break inside it as \\n");
    }

    static TemplateProblem jsonBadEscape(TemplatePosition at, String escape) {
        return at(at, "invalid escape '" + escape + "' in a JSON string",
                "JSON escapes are \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uNNNN");
    }

    static TemplateProblem jsonDuplicateKey(TemplatePosition at, String key, TemplatePosition first) {
        return at(at, "key '" + key + "' appears twice in this object (first at " + lineColumn(first) + ")",
                "each key once per object");
    }

    static TemplateProblem jsonTrailing(TemplatePosition at, String found) {
        return at(at, "found " + found + " after the end of the JSON value", "a JSON file holds one value");
    }

    static TemplateProblem unclosedAction(TemplatePosition at) {
        return at(at, "unclosed template action: this '{{' has no '}}'",
                "an action is written {{user `name`}}, {{env `NAME`}}, {{timestamp}} or {{isotime \"2006-01-02\"}}");
    }

    // --- JSON structure

    static final String JSON_KEYS = "description, variables, sensitive-variables, builders, provisioners,"
            + " post-processors, min_packer_version";

    static TemplateProblem jsonUnknownKey(TemplatePosition at, String key, Collection<String> keys) {
        return at(at, "unknown top-level key '" + key + "'" + didYouMean(key, keys),
                "a JSON template's keys are " + JSON_KEYS + ", and comments whose key starts with '_'");
    }

    static TemplateProblem jsonWrongKind(TemplatePosition at, String what, String found, String expected) {
        return at(at, what + " is " + found, expected);
    }

    static TemplateProblem jsonNoType(TemplatePosition at, String what) {
        return at(at, what + " has no \"type\"", "each " + what + " names its type, e.g. \"type\": \"amazon-ebs\"");
    }

    static TemplateProblem duplicateBuilderName(TemplatePosition at, String name, TemplatePosition first) {
        return at(at, "a second builder named '" + name + "' (first at " + lineColumn(first) + ")",
                "the builders of a template need distinct names: give each a \"name\"");
    }

    static TemplateProblem jsonVariableKind(TemplatePosition at, String name, String found) {
        return at(at, "variable '" + name + "' is " + found,
                "a JSON template's variables are strings, or null for a variable that must be given");
    }

    static TemplateProblem sensitiveUnknown(TemplatePosition at, String name, Collection<String> declared) {
        return at(at, "sensitive-variables names '" + name + "', which is not a variable" + didYouMean(name, declared),
                declared.isEmpty() ? "declare it under \"variables\"" : "variables: " + String.join(", ", declared));
    }

    static TemplateProblem unknownBuilderName(TemplatePosition at, String what, String key, String name,
            Collection<String> builders) {
        return at(at, what + " '" + key + "' names builder '" + name + "', which the template does not have"
                        + didYouMean(name, builders),
                "builder names: " + String.join(", ", builders));
    }

    // --- variable files

    static TemplateProblem notAValue(TemplatePosition at, String name, String text) {
        return at(at, name + " = " + text + " is not a plain value",
                "a variable file holds values only: strings, numbers, bools, null, lists and maps, without"
                        + " references, function calls or ${...}");
    }

    static TemplateProblem blockInVariableFile(TemplatePosition at, String type) {
        return at(at, "block '" + type + "' in a variable file", "a variable file holds name = value lines only");
    }

    static TemplateProblem jsonVariableFileRoot(TemplatePosition at, String found) {
        return at(at, "the file holds " + found, "a JSON variable file is one object: {\"name\": \"value\", ...}");
    }

    static TemplateProblem jsonTemplateRoot(TemplatePosition at, String found) {
        return at(at, "the file holds " + found, "a JSON template is one object: {\"builders\": [ ... ], ...}");
    }

    private static String lineColumn(TemplatePosition p) {
        return p.line() + ":" + p.column();
    }
}
