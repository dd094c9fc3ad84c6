using DocStore.Client.Tests.Infrastructure;

namespace DocStore.Client.Tests;

public sealed record Ledger(string Id, string Pk, long Sequence, IReadOnlyList<LedgerLine> Lines);

public sealed record LedgerLine(string Sku, int Qty, decimal Price, IReadOnlyList<string> Tags);

/// <summary>Documents as JSON (the default) and as Struct (<see cref="DocStoreClientOptions.BodyFormat"/>) through the typed client.</summary>
public sealed class BodyFormatClientTests(TestDocStore server) : IClassFixture<TestDocStore>
{
    private const long BeyondDoublePrecision = 9_007_199_254_740_993; // 2^53 + 1: a double cannot hold it

    private static readonly int[] NotAnObject = [1, 2];

    private readonly DocStoreClient _json = DocStoreClient.Create(server.Channel);

    private readonly DocStoreClient _struct = DocStoreClient.Create(server.Channel, new DocStoreClientOptions { BodyFormat = DocumentBodyFormat.Struct });

    private static Ledger NewLedger(long sequence) => new(
        "ledger-" + Guid.NewGuid().ToString("N"),
        "p",
        sequence,
        [.. Enumerable.Range(0, 20).Select(i => new LedgerLine($"sku-{i}", i, 1.25m * i, ["a", "ü"]))]);

    private static string[] Flat(Ledger ledger) =>
        [.. ledger.Lines.Select(l => $"{l.Sku}|{l.Qty}|{l.Price:0.00}|{string.Join(',', l.Tags)}")];

    [Fact]
    public void JSON_is_the_default()
    {
        Assert.Equal(DocumentBodyFormat.Json, new DocStoreClientOptions().BodyFormat);
    }

    [Fact]
    public async Task JSON_carries_integers_past_2_to_the_53_exactly_both_ways()
    {
        // Only JSON bytes on the wire, both ways, keep the last digit: a Struct holds doubles.
        var ledger = NewLedger(BeyondDoublePrecision);
        var written = await _json.UpsertAsync("items", ledger);
        var read = await _json.GetAsync<Ledger>("items", ledger.Id, "p");

        Assert.Equal(BeyondDoublePrecision, written.Value.Sequence);
        Assert.Equal(BeyondDoublePrecision, read.Value.Sequence);
        Assert.Equal(Flat(ledger), Flat(read.Value));
    }

    [Fact]
    public async Task The_Struct_path_still_works_and_rounds_through_doubles()
    {
        var ledger = NewLedger(BeyondDoublePrecision);
        await _struct.UpsertAsync("items", ledger);
        var read = await _struct.GetAsync<Ledger>("items", ledger.Id, "p");

        Assert.Equal(BeyondDoublePrecision - 1, read.Value.Sequence);
        Assert.Equal(Flat(ledger), Flat(read.Value));
    }

    [Fact]
    public async Task Either_format_reads_what_the_other_wrote()
    {
        var first = NewLedger(7);
        var second = NewLedger(8);
        await _json.UpsertAsync("items", first);
        await _struct.UpsertAsync("items", second);

        Assert.Equal(Flat(first), Flat((await _struct.GetAsync<Ledger>("items", first.Id, "p")).Value));
        Assert.Equal(Flat(second), Flat((await _json.GetAsync<Ledger>("items", second.Id, "p")).Value));

        var patched = await _json.PatchAsync<Ledger>("items", second.Id, "p", Patch.Increment("/sequence", 2));
        Assert.Equal(10, patched.Value.Sequence);
        Assert.Equal(Flat(second), Flat(patched.Value));
    }

    [Fact]
    public async Task A_document_that_is_not_an_object_is_refused_before_sending()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => _json.UpsertAsync("items", NotAnObject));
        Assert.Contains("JSON object", error.Message, StringComparison.Ordinal);
    }
}
