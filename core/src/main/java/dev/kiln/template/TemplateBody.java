package dev.kiln.template;

import dev.kiln.template.Expression.ObjectCons;
import dev.kiln.template.Expression.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The attributes and nested blocks of a source, builder, provisioner or post-processor, in written
 * order, each with its position. A JSON object's keys are attributes (nested JSON objects are
 * attribute values), so {@link #field(String)} finds {@code content_library_destination.name} in both formats.
 *
 * @param attributes the {@code name = value} entries
 * @param blocks     the nested blocks (HCL2 only)
 */
public record TemplateBody(List<TemplateAttribute> attributes, List<TemplateBlock> blocks) {

    /** A body with nothing in it. */
    public static final TemplateBody EMPTY = new TemplateBody(List.of(), List.of());

    public TemplateBody {
        attributes = List.copyOf(attributes);
        blocks = List.copyOf(blocks);
    }

    /** The attribute called {@code name}, if written. */
    public Optional<TemplateAttribute> attribute(String name) {
        return attributes.stream().filter(a -> a.name().equals(name)).findFirst();
    }

    /** The nested blocks of type {@code type}, in written order. */
    public List<TemplateBlock> blocks(String type) {
        return blocks.stream().filter(b -> b.type().equals(type)).toList();
    }

    /** The first value at {@code path}; see {@link #fields(String)}. */
    public Optional<Expression> field(String path) {
        List<Expression> all = fields(path);
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(0));
    }

    /**
     * Every value at a dotted {@code path}, e.g. {@code tags}, {@code shared_image_gallery_destination.image_name}
     * or {@code ebs_volumes.tags}. Each step names an attribute, a nested block, or a key of an object
     * value; a list value (or a repeated block) is stepped through element by element.
     */
    public List<Expression> fields(String path) {
        List<Expression> out = new ArrayList<>();
        collect(this, List.of(path.split("\\.", -1)), out);
        return List.copyOf(out);
    }

    private static void collect(TemplateBody body, List<String> steps, List<Expression> out) {
        String step = steps.get(0);
        List<String> rest = steps.subList(1, steps.size());
        body.attribute(step).ifPresent(a -> collect(a.value(), rest, out));
        for (TemplateBlock block : body.blocks(step)) {
            if (!rest.isEmpty()) {
                collect(block.body(), rest, out);
            }
        }
    }

    private static void collect(Expression value, List<String> steps, List<Expression> out) {
        if (steps.isEmpty()) {
            out.add(value);
        } else if (value instanceof ObjectCons o) {
            o.get(steps.get(0)).ifPresent(v -> collect(v, steps.subList(1, steps.size()), out));
        } else if (value instanceof Tuple t) {
            t.elements().forEach(e -> collect(e, steps, out));
        }
    }
}
