package dev.kiln.template;

import java.net.URISyntaxException;
import java.nio.file.Path;

/** The templates under {@code src/test/resources/templates/}. */
final class Fixtures {

    private Fixtures() {
    }

    static Path path(String relative) {
        try {
            return Path.of(Fixtures.class.getResource("/templates/" + relative).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static PackerTemplate read(String relative) {
        return PackerTemplate.read(path(relative));
    }

    /** {@code line:column} of a position, for compact assertions. */
    static String at(TemplatePosition p) {
        return p.line() + ":" + p.column();
    }
}
