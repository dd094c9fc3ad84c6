using System.Text.Json;
using System.Text.Json.Nodes;
using DocStore.Server;
using Json.Schema;

namespace DocStore.Chart.Tests;

/// <summary>values.yaml against values.schema.json, which Helm applies on install, upgrade, lint and template.</summary>
public sealed class ValuesSchemaTests
{
    private static readonly JsonSchema Schema = JsonSchema.FromText(Chart.SchemaText);

    private static EvaluationResults Evaluate(JsonNode values)
    {
        using var document = JsonDocument.Parse(values.ToJsonString());
        return Schema.Evaluate(document.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
    }

    private static string Describe(EvaluationResults results) =>
        string.Join('\n', (results.Details ?? []).Where(d => d.Errors is { Count: > 0 })
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}")));

    [Fact]
    public void The_default_values_validate()
    {
        var results = Evaluate(Chart.Values());
        Assert.True(results.IsValid, Describe(results));
    }

    [Theory]
    [InlineData("docstore: {store: Embedded}")]
    [InlineData("autoscaling: {enabled: true, minReplicas: 3, maxReplicas: 20}")]
    [InlineData("docstore: {cosmos: {endpoint: 'https://acct.documents.azure.com:443/', database: shop, preferredRegions: [West Europe]}}")]
    [InlineData("docstore: {collections: {orders: {partitionKeyPath: /customer/id, container: orders-v2}}}")]
    [InlineData("existingSecret: {name: docstore-secrets}\nserviceAccount: {annotations: {azure.workload.identity/client-id: 00000000-0000-0000-0000-000000000000}}")]
    [InlineData("networkPolicy: {enabled: true, allowedNamespaceLabels: {kubernetes.io/metadata.name: shop}}")]
    public void Sensible_overrides_validate(string overrideYaml)
    {
        var results = Evaluate(Chart.ValuesWith(overrideYaml));
        Assert.True(results.IsValid, Describe(results));
    }

    [Theory]
    [InlineData("replicaCount: three")]
    [InlineData("replicas: 3")]
    [InlineData("docstore: {store: Mongo}")]
    [InlineData("docstore: {cosmos: {key: c2VjcmV0}}")]
    [InlineData("docstore: {redis: {configuration: 'redis:6379,password=secret'}}")]
    [InlineData("docstore: {collections: {orders: {container: orders}}}")]
    [InlineData("docstore: {collections: {orders: {partitionKeyPath: customer}}}")]
    [InlineData("docstore: {collections: {order-items: {partitionKeyPath: /pk}}}")]
    [InlineData("docstore: {cosmos: {connectionMode: Tcp}}")]
    [InlineData("docstore: {sessionTokens: {sharing: Always}}")]
    [InlineData("metrics: {port: 70000}")]
    [InlineData("metrics: {port: '9090'}")]
    [InlineData("shutdown: {gracePeriodSeconds: 0}")]
    [InlineData("docstore: {sessionTokens: {redisTimeoutMilliseconds: 60000}}")]
    [InlineData("existingSecret: {name: Not_A_Name}")]
    [InlineData("securityContext: {readOnlyRootFilesystem: false}")]
    [InlineData("securityContext: {capabilities: {drop: [NET_RAW]}}")]
    [InlineData("podSecurityContext: {runAsNonRoot: false}")]
    [InlineData("image: {pullPolicy: Sometimes}")]
    [InlineData("topologySpread: {whenUnsatisfiable: Never}")]
    public void Broken_values_fail_the_schema(string overrideYaml)
    {
        Assert.False(Evaluate(Chart.ValuesWith(overrideYaml)).IsValid, $"accepted: {overrideYaml}");
    }

    [Fact]
    public void The_schemas_choices_are_the_servers_enum_names()
    {
        var schema = JsonNode.Parse(Chart.SchemaText)!;
        var docstore = schema["properties"]!["docstore"]!["properties"]!;
        Assert.Equal(Enum.GetNames<StoreKind>().Order(), Names(docstore["store"]!["enum"]!));
        Assert.Equal(Enum.GetNames<CosmosConnectionMode>().Order(), Names(docstore["cosmos"]!["properties"]!["connectionMode"]!["enum"]!));
        Assert.Equal(["", .. Enum.GetNames<TokenSharing>().Order()], Names(docstore["sessionTokens"]!["properties"]!["sharing"]!["enum"]!));

        static IEnumerable<string> Names(JsonNode list) => list.AsArray().Select(n => n!.GetValue<string>()).Order();
    }
}
