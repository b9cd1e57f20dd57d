package org.mipfed.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README and the pages under {@code docs/}, read from this checkout: every relative link and {@code #anchor}
 * leads somewhere, every page is reachable from the index, and the README stays short enough to be read first.
 */
class TestDocumentationLinks {
    /**
     * Guides written on other branches of issue #15, linked from {@code docs/index.md} before they are merged: this
     * test fails until they are, on purpose, so that the merge is checked.
     */
    private static final List<String> EXPECTED_GUIDES =
            List.of("docs/adding-a-primitive.md", "docs/adding-an-algorithm.md");

    private static final Path ROOT = repositoryRoot();

    /** The checkout this module belongs to: surefire runs the tests in the module's directory. */
    private static Path repositoryRoot() {
        Path module = Path.of("").toAbsolutePath();
        Path root = module.getParent();
        if (root == null
                || !Files.isRegularFile(root.resolve("README.md"))
                || !Files.isDirectory(root.resolve("docs"))) {
            throw new IllegalStateException("expected the repository (README.md and docs/) above " + module
                    + "; run the tests from the mipfed-testing module, as Maven does");
        }
        return root;
    }

    private static List<Path> pages() throws IOException {
        List<Path> pages = new ArrayList<>();
        pages.add(ROOT.resolve("README.md"));
        try (Stream<Path> docs = Files.list(ROOT.resolve("docs"))) {
            docs.filter(p -> p.getFileName().toString().endsWith(".md"))
                    .sorted()
                    .forEach(pages::add);
        }
        return pages;
    }

    @Test
    void everyRelativeLinkAndAnchorInTheReadmeAndTheDocsLeadsToAFileOrHeadingThatExists() throws IOException {
        List<Path> pages = pages();
        assertThat(pages)
                .extracting(p -> ROOT.relativize(p).toString())
                .contains(
                        "README.md",
                        "docs/index.md",
                        "docs/user-guide.md",
                        "docs/operations.md",
                        "docs/security.md",
                        "docs/benchmark.md");

        List<MarkdownLinks.Broken> broken = MarkdownLinks.broken(ROOT, pages);

        assertThat(broken).as("broken links (file:line: (target) why)").isEmpty();
    }

    @Test
    void theIndexLinksEveryPageUnderDocsAndTheGuidesForAddingAPrimitiveAndAnAlgorithm() throws IOException {
        List<String> linked = MarkdownLinks.links(Files.readString(ROOT.resolve("docs/index.md"))).stream()
                .map(l -> l.target().replaceAll("#.*", ""))
                .filter(t -> !t.isEmpty())
                .map(t -> "docs/" + t)
                .toList();
        List<String> pages = pages().stream()
                .map(p -> ROOT.relativize(p).toString())
                .filter(p -> p.startsWith("docs/") && !p.equals("docs/index.md"))
                .toList();

        assertThat(linked).containsAll(pages).containsAll(EXPECTED_GUIDES);
        assertThat(EXPECTED_GUIDES)
                .as("guides written on other branches of issue #15: present once merged")
                .allSatisfy(guide -> assertThat(ROOT.resolve(guide)).isRegularFile());
    }

    @Test
    void theReadmeKeepsWhatANewcomerNeedsFirstInUnder200Lines() throws IOException {
        String readme = Files.readString(ROOT.resolve("README.md"));

        assertThat(readme.lines().count()).isLessThan(200);
        // the two set-up commands, exactly as the demo and CI run them
        assertThat(readme).contains("```\n./mipfed demo\n```", "```\n./mipfed test\n```");
        List<String> ci = Files.readAllLines(ROOT.resolve(".ci/run")).stream()
                .filter(line -> !line.isBlank() && !line.startsWith("#"))
                .toList();
        assertThat(ci)
                .as("CI runs the README's test command and nothing else")
                .containsExactly("set -euo pipefail", "cd \"$(dirname \"$0\")/..\"", "exec ./mipfed test");
        assertThat(Files.readString(ROOT.resolve("mipfed"))).contains("exec mvn -B verify \"$@\"");
    }

    @Test
    void anchorsAreMadeAsGitHubMakesThem() {
        assertThat(MarkdownLinks.slug("A real federation, machine by machine"))
                .isEqualTo("a-real-federation-machine-by-machine");
        assertThat(MarkdownLinks.slug("Secure aggregation (`flags.smpc`)")).isEqualTo("secure-aggregation-flagssmpc");
        assertThat(MarkdownLinks.slug("Survival: `kaplan_meier`")).isEqualTo("survival-kaplan_meier");
        assertThat(MarkdownLinks.slug("What a researcher can and cannot learn"))
                .isEqualTo("what-a-researcher-can-and-cannot-learn");
        assertThat(MarkdownLinks.anchors("# Notes\n## Notes\n```\n# not a heading\n```\n### Notes\n"))
                .containsExactly("notes", "notes-1", "notes-2");
    }

    @Test
    void aMissingFileAMissingAnchorAndALinkOutOfTheRepositoryAreReportedAndCodeIsNotALink(@TempDir Path dir)
            throws IOException {
        Files.createDirectories(dir.resolve("docs"));
        Files.writeString(dir.resolve("docs/a.md"), "# A\n## Where it is\n");
        Files.writeString(
                dir.resolve("README.md"),
                String.join(
                        "\n",
                        "# Read me",
                        "[fine](docs/a.md#where-it-is) and [here](#read-me) and [away](https://example.org/x#y)",
                        "[gone](docs/b.md)",
                        "[renamed](docs/a.md#where-it-was)",
                        "[out](../secret.md)",
                        "`[not a link](nowhere.md)`",
                        "```",
                        "[not a link either](nowhere.md)",
                        "```",
                        ""));

        List<MarkdownLinks.Broken> broken =
                MarkdownLinks.broken(dir, List.of(dir.resolve("README.md"), dir.resolve("docs/a.md")));

        assertThat(broken)
                .extracting(MarkdownLinks.Broken::line, MarkdownLinks.Broken::target)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(3, "docs/b.md"),
                        org.assertj.core.groups.Tuple.tuple(4, "docs/a.md#where-it-was"),
                        org.assertj.core.groups.Tuple.tuple(5, "../secret.md"));
        assertThat(broken.get(1).reason()).contains("#where-it-was", "where-it-is");
    }
}
