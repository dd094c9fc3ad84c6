using System.Formats.Tar;
using System.IO.Compression;

namespace DocStore.Chart.Tests;

/// <summary>The chart through the real helm binary: lint, required values, package, show values, and the README's table.</summary>
public sealed class HelmChartTests
{
    private static readonly string[] Cosmos =
        ["--set", "docstore.cosmos.endpoint=https://example.documents.azure.com:443/", "--set", "docstore.cosmos.database=docstore",
         "--set", "auth.jwt.authority=https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000/v2.0", "--set", "auth.jwt.audience=api://docstore"];

    [HelmFact]
    public async Task Helm_lint_strict_is_clean_with_the_required_values()
    {
        var lint = await Tools.HelmAsync(["lint", "--strict", Chart.Directory, .. Cosmos, "--set", $"existingSecret.name={Variants.ExistingSecret}"]);
        Assert.True(lint.ExitCode == 0, lint.ToString());
        Assert.Contains("1 chart(s) linted, 0 chart(s) failed", lint.Stdout, StringComparison.Ordinal);
        // --strict fails on warnings; the only line left is helm's informational "icon is recommended".
        Assert.DoesNotContain("[WARNING]", lint.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("[ERROR]", lint.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("WARN", lint.Stderr, StringComparison.Ordinal);
    }

    [HelmFact]
    public async Task A_render_without_the_required_values_fails_naming_each_of_them()
    {
        var bare = await Tools.HelmAsync("template", "docstore", Chart.Directory);
        Assert.NotEqual(0, bare.ExitCode);
        Assert.Contains("missing required values: docstore.cosmos.endpoint, docstore.cosmos.database", bare.Stderr, StringComparison.Ordinal);
        Assert.Empty(bare.Stdout);

        var withEndpoint = await Tools.HelmAsync("template", "docstore", Chart.Directory, "--set", "docstore.cosmos.endpoint=https://example.documents.azure.com:443/");
        Assert.NotEqual(0, withEndpoint.ExitCode);
        Assert.Contains("missing required values: docstore.cosmos.database (", withEndpoint.Stderr, StringComparison.Ordinal);

        // helm lint reports the same, as a warning, so a bare lint still says what is missing.
        var lint = await Tools.HelmAsync("lint", Chart.Directory);
        Assert.Contains("missing required values: docstore.cosmos.endpoint, docstore.cosmos.database", lint.Stdout + lint.Stderr, StringComparison.Ordinal);

        // The Embedded store requires neither.
        var embedded = await Tools.HelmAsync("template", "docstore", Chart.Directory, "--set", "docstore.store=Embedded", "--set", "auth.mode=None");
        Assert.True(embedded.ExitCode == 0, embedded.ToString());
    }

    [HelmFact]
    public async Task The_default_auth_mode_Jwt_needs_an_authority_and_an_audience_and_the_failure_names_them()
    {
        var store = new[] { "--set", "docstore.store=Embedded" };
        var bare = await Tools.HelmAsync(["template", "docstore", Chart.Directory, .. store]);
        Assert.NotEqual(0, bare.ExitCode);
        Assert.Contains("missing required values: auth.jwt.authority, auth.jwt.audience (auth.mode is Jwt", bare.Stderr, StringComparison.Ordinal);

        var authorityOnly = await Tools.HelmAsync(["template", "docstore", Chart.Directory, .. store, "--set", "auth.jwt.authority=https://login.microsoftonline.com/t/v2.0"]);
        Assert.Contains("missing required values: auth.jwt.audience (", authorityOnly.Stderr, StringComparison.Ordinal);

        var certificate = await Tools.HelmAsync(["template", "docstore", Chart.Directory, .. store, "--set", "auth.mode=Certificate"]);
        Assert.Contains("missing required values: tls.secretName, auth.certificate.caSecretName (", certificate.Stderr, StringComparison.Ordinal);
    }

    [HelmFact]
    public async Task Values_the_schema_refuses_fail_the_render()
    {
        var typo = await Tools.HelmAsync(["template", "docstore", Chart.Directory, .. Cosmos, "--set", "metrics.prot=9091"]);
        Assert.NotEqual(0, typo.ExitCode);
        Assert.Contains("metrics", typo.Stderr, StringComparison.Ordinal);
        Assert.Contains("prot", typo.Stderr, StringComparison.Ordinal);
    }

    [HelmFact]
    public async Task Helm_show_values_is_values_yaml()
    {
        var shown = await Tools.HelmAsync("show", "values", Chart.Directory);
        Assert.True(shown.ExitCode == 0, shown.ToString());
        // helm prints the file, then a line feed of its own.
        Assert.Equal(Chart.ValuesText + "\n", shown.Stdout);
    }

    [HelmFact]
    public async Task Helm_package_produces_the_archive_with_the_charts_files()
    {
        var destination = Directory.CreateTempSubdirectory("docstore-chart-package-").FullName;
        try
        {
            var package = await Tools.HelmAsync("package", Chart.Directory, "--destination", destination);
            Assert.True(package.ExitCode == 0, package.ToString());
            var version = (string)Chart.Yaml(File.ReadAllText(Path.Combine(Chart.Directory, "Chart.yaml")))!["version"]!;
            var archive = Path.Combine(destination, $"docstore-{version}.tgz");
            Assert.True(File.Exists(archive), package.ToString());

            var entries = new Dictionary<string, string>(StringComparer.Ordinal);
            await using (var gzip = new GZipStream(File.OpenRead(archive), CompressionMode.Decompress))
            {
                using var tar = new TarReader(gzip);
                while (await tar.GetNextEntryAsync() is { } entry)
                {
                    using var reader = new StreamReader(entry.DataStream ?? Stream.Null);
                    entries[entry.Name] = await reader.ReadToEndAsync();
                }
            }

            var expected = Directory.GetFiles(Chart.Directory, "*", SearchOption.AllDirectories)
                .Select(f => "docstore/" + Path.GetRelativePath(Chart.Directory, f).Replace('\\', '/'))
                .Order(StringComparer.Ordinal);
            Assert.Equal(expected, entries.Keys.Order(StringComparer.Ordinal));
            Assert.Equal(Chart.ValuesText, entries["docstore/values.yaml"]);
            Assert.Equal(Chart.SchemaText, entries["docstore/values.schema.json"]);

            // The archive installs as the directory does: it renders the same objects.
            var fromArchive = await Tools.HelmAsync(["template", "docstore", archive, "--namespace", Rendered.Namespace, .. Variants.All["embedded"].Arguments]);
            Assert.True(fromArchive.ExitCode == 0, fromArchive.ToString());
            Assert.Equal((await Rendered.OfAsync("embedded")).Text, fromArchive.Stdout);
        }
        finally
        {
            Directory.Delete(destination, recursive: true);
        }
    }

    [Fact]
    public async Task The_READMEs_values_table_is_the_one_values_yaml_gives()
    {
        var check = await Tools.NodeAsync("eng/chart-readme.mjs", "--check", Chart.Directory);
        Assert.True(check.ExitCode == 0, check.ToString());
    }

    [Theory]
    [InlineData("  # -- Pods a voluntary disruption (node drain) may take down at once.\n  maxUnavailable: 1", "  # -- Pods a voluntary disruption (node drain) may take down at once.\n  maxUnavailable: 2")]
    [InlineData("# -- Fewest pods.", "# -- The fewest pods.")]
    [InlineData("replicaCount: 3\n", "replicaCount: 3\n# -- A value added without regenerating the README.\nextraValue: true\n")]
    public async Task The_README_check_fails_when_values_yaml_changes_without_it(string from, string to)
    {
        var copy = Directory.CreateTempSubdirectory("docstore-chart-readme-").FullName;
        try
        {
            File.Copy(Path.Combine(Chart.Directory, "README.md"), Path.Combine(copy, "README.md"));
            Assert.Contains(from, Chart.ValuesText, StringComparison.Ordinal);
            await File.WriteAllTextAsync(Path.Combine(copy, "values.yaml"), Chart.ValuesText.Replace(from, to, StringComparison.Ordinal));

            var check = await Tools.NodeAsync("eng/chart-readme.mjs", "--check", copy);
            Assert.True(check.ExitCode == 1, check.ToString());
            Assert.Contains("the values table differs from values.yaml", check.Stderr, StringComparison.Ordinal);

            // Regenerating the table makes the check pass again.
            Assert.Equal(0, (await Tools.NodeAsync("eng/chart-readme.mjs", copy)).ExitCode);
            Assert.Equal(0, (await Tools.NodeAsync("eng/chart-readme.mjs", "--check", copy)).ExitCode);
        }
        finally
        {
            Directory.Delete(copy, recursive: true);
        }
    }
}
