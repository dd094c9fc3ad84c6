using System.Text.Json.Nodes;

namespace DocStore.Chart.Tests;

/// <summary>
/// Every object helm renders, validated offline against Kubernetes 1.35's OpenAPI schemas (kubernetes-models)
/// and the Prometheus Operator's (ServiceMonitor), with unknown fields rejected, by validate-manifests.mjs.
/// </summary>
public sealed class ManifestSchemaTests
{
    private static readonly string Validator = Path.Combine(Tools.Root, "tests", "DocStore.Chart.Tests", "validate-manifests.mjs");

    /// <summary>Runs the validator over YAML text; the report's objects, and the run.</summary>
    private static async Task<(JsonArray Objects, ToolResult Run)> ValidateAsync(string yaml, bool lenient = false)
    {
        var file = Path.Combine(Path.GetTempPath(), $"docstore-manifests-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(file, yaml);
        try
        {
            var run = await Tools.NodeAsync(lenient ? [Validator, "--lenient", file] : [Validator, file]);
            Assert.True(run.ExitCode is 0 or 1, run.ToString());
            return (JsonNode.Parse(run.Stdout)!["objects"]!.AsArray(), run);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [HelmTheory]
    [MemberData(nameof(Variants.Names), MemberType = typeof(Variants))]
    public async Task Every_rendered_object_validates_against_the_Kubernetes_1_35_schemas_with_unknown_fields_rejected(string variant)
    {
        var rendered = await Rendered.OfAsync(variant);
        var (objects, run) = await ValidateAsync(rendered.Text);

        Assert.True(run.ExitCode == 0, run.ToString());
        // Each rendered object was checked against the schema of its own kind (none passed for want of one).
        Assert.Equal(rendered.Objects.Select(o => $"{o["kind"]}/{o["metadata"]!["name"]}"), objects.Select(o => $"{o!["kind"]}/{o["name"]}"));
        Assert.Contains(objects, o => (string?)o!["kind"] == "Deployment");
        // No object of the chart holds a free-form part that escaped the unknown-field check.
        Assert.All(objects, o => Assert.Empty(o!["freeForm"]!.AsArray()));
    }

    [HelmFact]
    public async Task The_matrix_renders_each_optional_object_somewhere()
    {
        var kinds = new HashSet<string>();
        foreach (var variant in Variants.All.Keys)
        {
            kinds.UnionWith((await Rendered.OfAsync(variant)).Objects.Select(o => (string)o["kind"]!));
        }

        Assert.Superset(new HashSet<string> { "ConfigMap", "Deployment", "Service", "ServiceAccount", "PodDisruptionBudget", "HorizontalPodAutoscaler", "NetworkPolicy", "ServiceMonitor" }, kinds);
    }

    [HelmFact]
    public async Task A_misspelled_field_fails_strict_validation_though_kubernetes_models_alone_accepts_it()
    {
        var rendered = await Rendered.OfAsync("embedded");
        var deployment = rendered.Deployment.DeepClone().AsObject();
        var container = deployment["spec"]!["template"]!["spec"]!["containers"]![0]!.AsObject();
        container["bogus"] = true;
        var grpc = container["readinessProbe"]!["grpc"]!.AsObject();
        grpc["srvice"] = grpc["service"]!.DeepClone();
        grpc.Remove("service");
        var yaml = deployment.ToJsonString(); // JSON is YAML

        var (strict, strictRun) = await ValidateAsync(yaml);
        Assert.Equal(1, strictRun.ExitCode);
        var errors = strict.Single()!["errors"]!.AsArray().Select(e => (string)e!).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(
            [
                "/spec/template/spec/containers/0/bogus: unknown field \"bogus\" (not in the schema)",
                "/spec/template/spec/containers/0/readinessProbe/grpc/srvice: unknown field \"srvice\" (not in the schema)",
            ],
            errors);

        // kubernetes-models on its own passes both: the strictness is what catches them.
        var (_, lenientRun) = await ValidateAsync(yaml, lenient: true);
        Assert.True(lenientRun.ExitCode == 0, lenientRun.ToString());
    }

    [HelmFact]
    public async Task A_wrong_type_or_a_missing_required_field_fails_validation()
    {
        var rendered = await Rendered.OfAsync("embedded");
        var wrongType = rendered.Deployment.DeepClone().AsObject();
        wrongType["spec"]!["template"]!["spec"]!["containers"]![0]!["ports"]![0]!["containerPort"] = "eight thousand";
        var (objects, run) = await ValidateAsync(wrongType.ToJsonString());
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("/spec/template/spec/containers/0/ports/0/containerPort must be integer", (string)objects.Single()!["errors"]![0]!, StringComparison.Ordinal);

        var noSelector = rendered.Deployment.DeepClone().AsObject();
        noSelector["spec"]!.AsObject().Remove("selector");
        (objects, run) = await ValidateAsync(noSelector.ToJsonString());
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("/spec must have required property selector", (string)objects.Single()!["errors"]![0]!, StringComparison.Ordinal);

        var service = rendered.OfKind("Service").First().DeepClone().AsObject();
        service["apiVersion"] = "v2";
        (objects, run) = await ValidateAsync(service.ToJsonString());
        Assert.Equal(1, run.ExitCode);
        Assert.Equal("no schema for v2 Service", (string)objects.Single()!["errors"]![0]!);
    }
}
