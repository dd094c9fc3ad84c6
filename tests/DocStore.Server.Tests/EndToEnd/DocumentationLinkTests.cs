using System.Text.RegularExpressions;
using DocStore.Server.Tests.Infrastructure;

namespace DocStore.Server.Tests.EndToEnd;

/// <summary>The README and docs/ point only at files that exist.</summary>
public sealed partial class DocumentationLinkTests
{
    public static TheoryData<string> Pages()
    {
        var pages = new TheoryData<string> { "README.md", "tests/README.md", "src/ClientSdk/README.md" };
        foreach (var page in Directory.GetFiles(Path.Combine(TestPaths.RepositoryRoot, "docs"), "*.md").Order(StringComparer.Ordinal))
        {
            pages.Add(Path.GetRelativePath(TestPaths.RepositoryRoot, page));
        }

        return pages;
    }

    [Theory]
    [MemberData(nameof(Pages))]
    public void Every_relative_link_resolves_to_an_existing_file(string page)
    {
        var path = Path.Combine(TestPaths.RepositoryRoot, page);
        var links = RelativeLinks(File.ReadAllText(path));

        var broken = links
            .Where(link => !File.Exists(Resolve(path, link)) && !Directory.Exists(Resolve(path, link)))
            .ToList();

        Assert.True(broken.Count == 0, $"{page} links to missing files: {string.Join(", ", broken)}");
    }

    [Fact]
    public void The_readme_links_to_every_page_in_docs()
    {
        var readme = File.ReadAllText(Path.Combine(TestPaths.RepositoryRoot, "README.md"));
        var linked = RelativeLinks(readme).Select(l => Path.GetFullPath(Resolve(Path.Combine(TestPaths.RepositoryRoot, "README.md"), l))).ToHashSet();

        var unlinked = Directory.GetFiles(Path.Combine(TestPaths.RepositoryRoot, "docs"), "*.md")
            .Where(page => !linked.Contains(Path.GetFullPath(page)))
            .Select(Path.GetFileName)
            .ToList();

        Assert.True(unlinked.Count == 0, $"README.md does not link to docs/{string.Join(", docs/", unlinked)}");
    }

    [Fact]
    public void A_link_to_a_missing_file_is_found()
    {
        // The check itself: a page with one good and one broken link reports the broken one only.
        var links = RelativeLinks("see [a](README.md), [b](docs/nowhere.md#x), [c](https://example.com), [d](#anchor)");

        Assert.Equal(["README.md", "docs/nowhere.md"], links);
        Assert.False(File.Exists(Resolve(Path.Combine(TestPaths.RepositoryRoot, "README.md"), links[1])));
    }

    /// <summary>The targets of the page's Markdown links that are neither absolute URLs nor anchors, without their anchors.</summary>
    private static List<string> RelativeLinks(string markdown) =>
        [.. Link().Matches(markdown)
            .Select(m => m.Groups[1].Value.Split('#')[0])
            .Where(target => target.Length > 0 && !target.Contains("://", StringComparison.Ordinal) && !target.StartsWith("mailto:", StringComparison.Ordinal))];

    private static string Resolve(string page, string link) => Path.Combine(Path.GetDirectoryName(page)!, link);

    [GeneratedRegex(@"\]\(([^)\s]+)\)")]
    private static partial Regex Link();
}
