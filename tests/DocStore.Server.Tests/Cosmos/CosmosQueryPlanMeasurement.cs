using System.Globalization;
using DocStore.Server.Tests.Infrastructure;
using DocStore.V1;
using Microsoft.Azure.Cosmos;
using Xunit.Abstractions;

namespace DocStore.Server.Tests.Cosmos;

/// <summary>
/// The requests one ORDER BY query and one ReadMany make, counted from the SDK's own diagnostics, with the
/// SDK's native query planner (<c>AZURE_COSMOS_USE_QUERY_PLAN_INTEROP_LINUX=true</c>) and without it. The
/// figures are for docs/cosmos.md; the test asserts that the native planner saves the gateway's plan request.
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
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"native planner: ORDER BY {native.OrderBy}, ReadMany {native.ReadMany}"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"gateway planner: ORDER BY {gateway.OrderBy}, ReadMany {gateway.ReadMany}"));
    }

    private async Task<(string OrderBy, string ReadMany)> MeasureAsync(string partition, bool nativePlanner)
    {
        var before = Environment.GetEnvironmentVariable("AZURE_COSMOS_USE_QUERY_PLAN_INTEROP_LINUX");
        Environment.SetEnvironmentVariable("AZURE_COSMOS_USE_QUERY_PLAN_INTEROP_LINUX", nativePlanner ? "true" : null);
        try
        {
            using var client = CosmosPeerFixture.CreateDirectClient(peer.Peer);
            var container = client.GetContainer(peer.Database, "items");
            string orderBy;
            using (var iterator = container.GetItemQueryStreamIterator(
                new QueryDefinition("SELECT * FROM c WHERE c.pk = @pk ORDER BY c.n").WithParameter("@pk", partition),
                requestOptions: new QueryRequestOptions { PartitionKey = new PartitionKey(partition) }))
            {
                try
                {
                    using var page = await iterator.ReadNextAsync();
                    orderBy = $"{page.StatusCode}: " + page.Diagnostics;
                }
                catch (Exception e)
                {
                    orderBy = e.GetType().Name + ": " + e.Message;
                }
            }

            string readMany;
            try
            {
                using var many = await container.ReadManyItemsStreamAsync([("d0", new PartitionKey(partition)), ("d1", new PartitionKey(partition))]);
                readMany = $"{many.StatusCode}: " + many.Diagnostics;
            }
            catch (Exception e)
            {
                readMany = e.GetType().Name + ": " + e.Message;
            }

            return (orderBy, readMany);
        }
        finally
        {
            Environment.SetEnvironmentVariable("AZURE_COSMOS_USE_QUERY_PLAN_INTEROP_LINUX", before);
        }
    }
}
