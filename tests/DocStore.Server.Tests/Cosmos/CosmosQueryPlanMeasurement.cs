using System.Globalization;
using System.Text.Json.Nodes;
using DocStore.Server.Tests.Infrastructure;
using DocStore.V1;
using Microsoft.Azure.Cosmos;
using Xunit.Abstractions;

namespace DocStore.Server.Tests.Cosmos;

/// <summary>
/// The HTTP requests one ORDER BY query and one ReadMany make, read from the SDK's own diagnostics, with the
/// SDK's native query planner (<c>AZURE_COSMOS_USE_QUERY_PLAN_INTEROP_LINUX=true</c>, which the SDK reads on
/// each query) and without it, on warm clients (container and range caches filled by a first run). It prints
/// the figures for docs/cosmos.md and asserts what they rest on: the native planner sends no plan request to
/// the gateway and the call succeeds; without it, each call first asks the gateway for a plan.
/// </summary>
[Collection(CosmosPeerGroup.Name)]
public sealed class CosmosQueryPlanMeasurement(CosmosPeerFixture peer, ITestOutputHelper output)
{
    [Fact]
    public async Task The_native_planner_saves_the_gateways_query_plan_request()
    {
        var partition = "plan-" + Guid.NewGuid().ToString("N")[..8];
        for (var i = 0; i < 3; i++)
        {
            await peer.Client.UpsertAsync(new UpsertRequest { Collection = "items", Document = Json.Struct($$"""{"id":"d{{i}}","pk":"{{partition}}","n":{{3 - i}}}""") });
        }

        var native = await MeasureAsync(partition, nativePlanner: true);
        var gateway = await MeasureAsync(partition, nativePlanner: false);
        foreach (var (name, m) in new[] { ("native planner", native), ("gateway planner", gateway) })
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name}: ORDER BY {m.OrderBy}; ReadMany {m.ReadMany}"));
        }

        Assert.True(native.OrderBy.Succeeded && native.ReadMany.Succeeded);
        Assert.Equal(0, native.OrderBy.GatewayPlans + native.ReadMany.GatewayPlans);
        Assert.Equal(1, native.OrderBy.NativePlans);
        Assert.Equal(1, gateway.OrderBy.GatewayPlans);
        Assert.Equal(0, gateway.OrderBy.NativePlans);
        Assert.True(gateway.ReadMany.GatewayPlans >= 1);
    }

    private async Task<(Calls OrderBy, Calls ReadMany)> MeasureAsync(string partition, bool nativePlanner)
    {
        var before = Environment.GetEnvironmentVariable("AZURE_COSMOS_USE_QUERY_PLAN_INTEROP_LINUX");
        Environment.SetEnvironmentVariable("AZURE_COSMOS_USE_QUERY_PLAN_INTEROP_LINUX", nativePlanner ? "true" : "false");
        try
        {
            using var client = CosmosPeerFixture.CreateDirectClient(peer.Peer);
            var container = client.GetContainer(peer.Database, "items");
            var key = new PartitionKey(partition);
            async Task<Calls> OrderByAsync()
            {
                using var iterator = container.GetItemQueryStreamIterator(
                    new QueryDefinition("SELECT * FROM c WHERE c.pk = @pk ORDER BY c.n").WithParameter("@pk", partition),
                    requestOptions: new QueryRequestOptions { PartitionKey = key });
                try
                {
                    using var page = await iterator.ReadNextAsync();
                    return Calls.From(page.Diagnostics.ToString(), page.IsSuccessStatusCode);
                }
                catch (Exception e) when (e is CosmosException or NullReferenceException)
                {
                    return Calls.From(e, succeeded: false);
                }
            }

            async Task<Calls> ReadManyAsync()
            {
                try
                {
                    using var many = await container.ReadManyItemsStreamAsync([("d0", key), ("d1", key)]);
                    return Calls.From(many.Diagnostics.ToString(), many.IsSuccessStatusCode);
                }
                catch (Exception e) when (e is CosmosException or NullReferenceException)
                {
                    return Calls.From(e, succeeded: false);
                }
            }

            // The first run fills the client's container and partition-key-range caches; the second is measured.
            await OrderByAsync();
            await ReadManyAsync();
            return (await OrderByAsync(), await ReadManyAsync());
        }
        finally
        {
            Environment.SetEnvironmentVariable("AZURE_COSMOS_USE_QUERY_PLAN_INTEROP_LINUX", before);
        }
    }

    /// <summary>What one call's diagnostics show: HTTP requests by resource type, and how its plans were made.</summary>
    private sealed record Calls(bool Succeeded, int Requests, string ByResource, int GatewayPlans, int NativePlans)
    {
        /// <summary>A failure's diagnostics: a CosmosException's, or the JSON the SDK appends to the message of the exceptions it wraps.</summary>
        public static Calls From(Exception failure, bool succeeded) =>
            From(failure is CosmosException cosmos ? cosmos.Diagnostics.ToString() : failure.Message[failure.Message.IndexOf('{', StringComparison.Ordinal)..], succeeded);

        public static Calls From(string diagnostics, bool succeeded)
        {
            var requests = new List<string>();
            int gatewayPlans = 0, nativePlans = 0;
            void Walk(JsonNode? node)
            {
                switch (node)
                {
                    case JsonObject o:
                        var name = (string?)o["name"];
                        gatewayPlans += name == "Gateway QueryPlan" ? 1 : 0;
                        nativePlans += name == "Service Interop Query Plan" ? 1 : 0;
                        if (o["HttpResponseStats"] is JsonArray stats)
                        {
                            requests.AddRange(stats.Select(s => $"{s?["HttpMethod"]} {s?["ResourceType"]}"));
                        }

                        foreach (var (_, child) in o)
                        {
                            Walk(child);
                        }

                        break;
                    case JsonArray a:
                        foreach (var child in a)
                        {
                            Walk(child);
                        }

                        break;
                }
            }

            Walk(JsonNode.Parse(diagnostics));
            var byResource = string.Join(", ", requests.GroupBy(r => r).Select(g => $"{g.Count()} {g.Key}"));
            return new Calls(succeeded, requests.Count, byResource, gatewayPlans, nativePlans);
        }

        public override string ToString() => string.Create(
            CultureInfo.InvariantCulture,
            $"{(Succeeded ? "succeeded" : "failed")}, {Requests} HTTP request(s) ({ByResource}), gateway plans {GatewayPlans}, native plans {NativePlans}");
    }
}
