extern alias server;

using System.Net;
using System.Text;
using DocStore.Server.Tests.Infrastructure;
using DocStore.V1;
using Google.Rpc;
using Grpc.Core;
using Microsoft.Azure.Cosmos;
using CosmosDiagnosticsLog = server::DocStore.Server.Storage.Cosmos.CosmosDiagnosticsLog;

namespace DocStore.Server.Tests.Cosmos;

/// <summary>Cosmos DB's own signals through DocStore: request charges on every page, activity ids on errors, diagnostics without keys.</summary>
[Collection(CosmosPeerGroup.Name)]
public sealed class CosmosSignalsTests(CosmosPeerFixture peer) : IDisposable
{
    public void Dispose() => peer.Faults.Reset();

    [Fact]
    public async Task Query_pages_and_change_feed_pages_report_the_charge_Cosmos_sent()
    {
        var partition = "charge-" + Guid.NewGuid().ToString("N")[..8];
        for (var i = 0; i < 3; i++)
        {
            await peer.Client.UpsertAsync(new UpsertRequest { Collection = "items", Document = Json.Struct($$"""{"id":"c{{i}}","pk":"{{partition}}","n":{{i}}}""") });
        }

        var page = await peer.Client.QueryAsync(new QueryRequest { Collection = "items", PartitionKey = partition, PageSize = 2, OrderBy = { new OrderBy { Path = "/n" } } });
        Assert.Equal(2, page.Documents.Count);
        Assert.True(page.Info.RequestCharge >= 1, $"a query page reported {page.Info.RequestCharge} RU");

        var changes = await peer.Client.ReadChangesAsync(new ReadChangesRequest { Collection = "items", PartitionKey = partition });
        Assert.Equal(3, changes.Documents.Count);
        Assert.True(changes.Info.RequestCharge >= 1, $"a change-feed page reported {changes.Info.RequestCharge} RU");
    }

    [Fact]
    public async Task A_failed_call_names_the_Cosmos_activity_id_in_its_ErrorInfo()
    {
        var activityId = Guid.NewGuid().ToString();
        peer.Faults.Fault = request =>
        {
            var response = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable)
            {
                Content = new StringContent("""{"code":"ServiceUnavailable","message":"down"}""", Encoding.UTF8, "application/json"),
            };
            response.Headers.TryAddWithoutValidation("x-ms-activity-id", activityId);
            return response;
        };

        var status = await RpcAssert.FailsAsync(StatusCode.Unavailable, "STORE_UNAVAILABLE", () =>
            peer.FaultServer.Client.GetAsync(new GetRequest { Collection = "items", Id = "absent", PartitionKey = "p" }).ResponseAsync);
        Assert.Equal(activityId, status.GetDetail<ErrorInfo>().Metadata["activity_id"]);
    }

    [Fact]
    public async Task The_diagnostics_summary_names_requests_and_activity_ids_but_no_document_key_or_content()
    {
        var id = "diag-" + Guid.NewGuid().ToString("N");
        var partition = "pk-" + Guid.NewGuid().ToString("N");
        var container = peer.Direct.GetContainer(peer.Database, "items");
        using (var written = await container.UpsertItemStreamAsync(new MemoryStream(Encoding.UTF8.GetBytes($$"""{"id":"{{id}}","pk":"{{partition}}","secret":"s3cr3t"}""")), new PartitionKey(partition)))
        {
            Assert.True(written.IsSuccessStatusCode);
        }

        using var read = await container.ReadItemStreamAsync(id, new PartitionKey(partition));
        var summary = CosmosDiagnosticsLog.Summarize(read.Diagnostics);

        Assert.Contains("Document", summary, StringComparison.Ordinal);
        Assert.Contains(read.Headers.ActivityId, summary, StringComparison.Ordinal);
        Assert.Contains(id, read.Diagnostics.ToString(), StringComparison.Ordinal); // the SDK's own text names the document
        Assert.DoesNotContain(id, summary, StringComparison.Ordinal);
        Assert.DoesNotContain(partition, summary, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cr3t", summary, StringComparison.Ordinal);
    }
}
