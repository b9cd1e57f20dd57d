package org.mipfed.testing;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The relative links of Markdown files and the headings they point to, as GitHub renders them: so that a page
 * moved or a heading renamed in the docs shows as a failing test, not as a reader's dead end. Links to other
 * sites (any {@code scheme:}) are not followed; links and headings inside code blocks and code spans are not links.
 */
final class MarkdownLinks {
    /** A link that leads nowhere: where it is, what it says, and why it is broken. */
    record Broken(Path file, int line, String target, String reason) {
        Broken {
            requireNonNull(file, "file is null");
            requireNonNull(target, "target is null");
            requireNonNull(reason, "reason is null");
        }

        @Override
        public String toString() {
            return file + ":" + line + ": (" + target + ") " + reason;
        }
    }

    /** A relative link found in a page: the line it is on and its target as written. */
    record Link(int line, String target) {
        Link {
            requireNonNull(target, "target is null");
        }
    }

    private static final Pattern FENCE = Pattern.compile("^\\s{0,3}(```|~~~)");
    private static final Pattern HEADING = Pattern.compile("^\\s{0,3}(#{1,6})\\s+(.*?)\\s*#*\\s*$");
    private static final Pattern CODE_SPAN = Pattern.compile("(`+)(.+?)\\1");
    private static final Pattern INLINE_LINK =
            Pattern.compile("!?\\[([^\\]]*)\\]\\(\\s*<?([^)\\s>]*)>?(?:\\s+\"[^\"]*\")?\\s*\\)");
    private static final Pattern REFERENCE_DEFINITION =
            Pattern.compile("^\\s{0,3}\\[[^\\]]+\\]:\\s*<?(\\S+?)>?(?:\\s.*)?$");
    private static final Pattern HTML_ANCHOR = Pattern.compile("<a\\s+(?:id|name)=\"([^\"]+)\"");
    private static final Pattern SCHEME = Pattern.compile("^[a-zA-Z][a-zA-Z0-9+.-]*:");

    private MarkdownLinks() {}

    /**
     * Every broken relative link of {@code pages}: a file or directory that does not exist (or lies outside
     * {@code root}), or an {@code #anchor} that no heading of the target page makes.
     */
    static List<Broken> broken(Path root, List<Path> pages) {
        Path top = root.toAbsolutePath().normalize();
        Map<Path, Set<String>> anchorsByPage = new HashMap<>();
        List<Broken> broken = new ArrayList<>();
        for (Path page : pages) {
            Path from = page.toAbsolutePath().normalize();
            for (Link link : links(read(from))) {
                String target = link.target();
                if (SCHEME.matcher(target).find()) {
                    continue;
                }
                int hash = target.indexOf('#');
                String path = URLDecoder.decode(hash < 0 ? target : target.substring(0, hash), StandardCharsets.UTF_8);
                String anchor = hash < 0 ? null : target.substring(hash + 1);
                Path to = path.isEmpty() ? from : from.getParent().resolve(path).normalize();
                Path shown = top.relativize(from);
                if (!to.startsWith(top)) {
                    broken.add(new Broken(shown, link.line(), target, "leads out of the repository"));
                } else if (!Files.exists(to)) {
                    broken.add(
                            new Broken(shown, link.line(), target, "no such file or directory: " + top.relativize(to)));
                } else if (anchor != null && !anchor.isEmpty()) {
                    if (!to.getFileName().toString().endsWith(".md")) {
                        broken.add(
                                new Broken(shown, link.line(), target, "an anchor into a file that is not Markdown"));
                    } else if (!anchorsByPage
                            .computeIfAbsent(to, p -> anchors(read(p)))
                            .contains(anchor)) {
                        broken.add(new Broken(
                                shown,
                                link.line(),
                                target,
                                "no heading of " + top.relativize(to) + " has the anchor #" + anchor + "; it has "
                                        + anchorsByPage.get(to)));
                    }
                }
            }
        }
        return broken;
    }

    /** The relative and absolute link targets of a page's text, with their line numbers (1-based). */
    static List<Link> links(String markdown) {
        List<Link> links = new ArrayList<>();
        boolean fenced = false;
        String[] lines = markdown.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (FENCE.matcher(line).find()) {
                fenced = !fenced;
                continue;
            }
            if (fenced) {
                continue;
            }
            // A code span's text is shown as it is: `[a](b)` there is no link. Its place stays, so "[`x`](y)" is one.
            String text = CODE_SPAN.matcher(line).replaceAll("code");
            Matcher inline = INLINE_LINK.matcher(text);
            while (inline.find()) {
                links.add(new Link(i + 1, inline.group(2)));
            }
            Matcher definition = REFERENCE_DEFINITION.matcher(text);
            if (definition.matches()) {
                links.add(new Link(i + 1, definition.group(1)));
            }
        }
        return links;
    }

    /** The anchors a page's headings (and explicit {@code <a id>}s) make, as GitHub makes them, duplicates numbered. */
    static Set<String> anchors(String markdown) {
        Set<String> anchors = new LinkedHashSet<>();
        Map<String, Integer> seen = new HashMap<>();
        boolean fenced = false;
        for (String line : markdown.split("\n", -1)) {
            if (FENCE.matcher(line).find()) {
                fenced = !fenced;
                continue;
            }
            if (fenced) {
                continue;
            }
            Matcher explicit = HTML_ANCHOR.matcher(line);
            while (explicit.find()) {
                anchors.add(explicit.group(1));
            }
            Matcher heading = HEADING.matcher(line);
            if (heading.matches()) {
                String slug = slug(heading.group(2));
                int count = seen.merge(slug, 1, Integer::sum);
                anchors.add(count == 1 ? slug : slug + "-" + (count - 1));
            }
        }
        return anchors;
    }

    /**
     * GitHub's anchor for a heading: its rendered text (links as their text, no code or emphasis marks), lower case,
     * without punctuation but hyphens and underscores, each space a hyphen.
     */
    static String slug(String heading) {
        String text = heading.replaceAll("!?\\[([^\\]]*)\\]\\([^)]*\\)", "$1")
                .replaceAll("<[^>]+>", "")
                .replace("`", "")
                .replace("*", "");
        StringBuilder slug = new StringBuilder();
        text.toLowerCase(Locale.ROOT).codePoints().forEach(c -> {
            if (c == ' ') {
                slug.append('-');
            } else if (Character.isLetterOrDigit(c)
                    || c == '-'
                    || c == '_'
                    || Character.getType(c) == Character.NON_SPACING_MARK) {
                slug.appendCodePoint(c);
            }
        });
        return slug.toString();
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }
}
