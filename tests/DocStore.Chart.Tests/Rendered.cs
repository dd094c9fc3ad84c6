using System.Collections.Concurrent;
using System.Text.Json.Nodes;

namespace DocStore.Chart.Tests;

/// <summary>
/// The values the chart is rendered with in CI, one line each. Every test over the matrix takes its
/// variants from here, so a new variant is checked by all of them.
/// </summary>
public static class Variants
{
    private static readonly string[] Cosmos =
        ["--set", "docstore.cosmos.endpoint=https://example.documents.azure.com:443/", "--set", "docstore.cosmos.database=docstore",
         "--set", "auth.jwt.authority=https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000/v2.0", "--set", "auth.jwt.audience=api://docstore"];

    /// <summary>The Secret name the variants that read one pass as existingSecret.name.</summary>
    public const string ExistingSecret = "docstore-secrets";

    /// <summary>Variant name, then the release name and the helm arguments that set its values.</summary>
    public static IReadOnlyDictionary<string, (string Release, string[] Arguments)> All { get; } = new Dictionary<string, (string, string[])>
    {
        ["cosmos-defaults"] = ("docstore", Cosmos),
        ["embedded"] = ("docstore", ["--set", "docstore.store=Embedded", "--set", $"existingSecret.name={ExistingSecret}", "--set", "auth.mode=None"]),
        ["autoscaling-networkpolicy-servicemonitor"] = ("docstore", [.. Cosmos, "--set", $"existingSecret.name={ExistingSecret}", "--set", "autoscaling.enabled=true", "--set", "networkPolicy.enabled=true", "--set", "networkPolicy.allowedNamespaceLabels.kubernetes\\.io/metadata\\.name=shop", "--set-string", "networkPolicy.allowedPodLabels.docstore-client=true", "--set", "networkPolicy.metricsNamespaceLabels.kubernetes\\.io/metadata\\.name=monitoring", "--set", "metrics.serviceMonitor.enabled=true", "--set", "metrics.serviceMonitor.labels.release=prometheus"]),
        ["fullname-override"] = ("shop", [.. Cosmos, "--set", "fullnameOverride=orders-store", "--set", "serviceAccount.create=false", "--set", "headlessService.enabled=false", "--set", "podDisruptionBudget.enabled=false"]),
        ["tls-jwt"] = ("docstore", [.. Cosmos, "--set", "tls.secretName=docstore-tls", "--set", "redis.caSecretName=redis-ca", "--set", "auth.grants[0].principal=spiffe://cluster.local/ns/shop/sa/orders", "--set", "auth.grants[0].collections[0]=items", "--set", "auth.grants[0].actions[0]=read"]),
    };

    /// <summary>The variant names, for [MemberData].</summary>
    public static TheoryData<string> Names { get; } = [.. All.Keys];
}

/// <summary>The chart as <c>helm template</c> rendered it for one variant, as JSON objects.</summary>
internal sealed class Rendered(string variant, string text, List<JsonObject> objects)
{
    private static readonly ConcurrentDictionary<string, Lazy<Task<Rendered>>> Cache = new();

    /// <summary>The namespace every variant is rendered into.</summary>
    public const string Namespace = "docstore-test";

    public string Variant { get; } = variant;

    /// <summary>helm template's output.</summary>
    public string Text { get; } = text;

    public IReadOnlyList<JsonObject> Objects { get; } = objects;

    /// <summary>The arguments helm template ran with.</summary>
    public string[] Arguments => Variants.All[Variant].Arguments;

    public IEnumerable<JsonObject> OfKind(string kind) => Objects.Where(o => (string?)o["kind"] == kind);

    public JsonObject Single(string kind)
    {
        var found = OfKind(kind).ToList();
        Assert.True(found.Count == 1, $"{Variant}: {found.Count} objects of kind {kind}");
        return found[0];
    }

    public JsonObject Deployment => Single("Deployment");

    public JsonObject PodTemplate => Deployment["spec"]!["template"]!.AsObject();

    public JsonObject Container => PodTemplate["spec"]!["containers"]!.AsArray().Single()!.AsObject();

    /// <summary>Renders a variant once per test run (helm template), with optional extra arguments.</summary>
    public static Task<Rendered> OfAsync(string variant, params string[] extra) =>
        Cache.GetOrAdd(variant + "\0" + string.Join('\0', extra), _ => new Lazy<Task<Rendered>>(() => RenderAsync(variant, extra))).Value;

    private static async Task<Rendered> RenderAsync(string variant, string[] extra)
    {
        var (release, arguments) = Variants.All[variant];
        var result = await Tools.HelmAsync(["template", release, Chart.Directory, "--namespace", Namespace, .. arguments, .. extra]);
        Assert.True(result.ExitCode == 0, result.ToString());
        return new Rendered(variant, result.Stdout, Chart.YamlDocuments(result.Stdout));
    }
}
