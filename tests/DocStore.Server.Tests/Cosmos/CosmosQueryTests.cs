using DocStore.Server.Tests.Infrastructure;
using DocStore.Server.Tests.Query;

namespace DocStore.Server.Tests.Cosmos;

/// <summary>
/// The contract's Query cases on the Cosmos DB store, against the Cosmos DB peer, which runs DocStore's
/// SQL: every filter rule holds there too. ORDER BY, paging with an order and cross-partition queries run
/// through the SDK's query pipeline with plans from its native planner (<c>libQueryPlanInterop.so</c>).
/// </summary>
[Collection(CosmosPeerGroup.Name)]
public sealed class CosmosQueryTests(CosmosPeerFixture peer) : QueryTests(peer)
{
    /// <summary>
    /// The same order, except among equal values: Cosmos DB promises no order between documents whose ORDER BY
    /// values are equal (the embedded store orders them by id). So the result is checked as groups of equal
    /// values in order: the four without <c>/v</c> first, and 10 and 10.0 together. Ascending is paged; descending
    /// is read in one page (below).
    /// </summary>
    [Fact]
    public override async Task Order_by_puts_documents_that_lack_the_path_first_and_descending_reverses_exactly()
    {
        await SeedCorpusAsync();
        string[][] groups = [["cafe1", "cafe2", "missing", "nested"], ["null"], ["false"], ["true"], ["big"], ["num10", "num10f"], ["str10"], ["arr"], ["obj"]];

        AssertGroups(groups, await AllIdsAsync(Request(pageSize: 4, orderBy: new DocStore.V1.OrderBy { Path = "/v" })));
        // Descending in one page: paged, the last page would start among the documents without /v, and the peer's
        // query engine cannot evaluate the SDK's resume filter there (it repeats them); tests/README.md names this.
        AssertGroups([.. groups.Reverse()], await AllIdsAsync(Request(pageSize: 100, orderBy: new DocStore.V1.OrderBy { Path = "/v", Descending = true })));
    }

    private static void AssertGroups(string[][] groups, List<string> ids)
    {
        Assert.True(groups.Sum(g => g.Length) == ids.Count, "got " + string.Join(" ", ids));
        var at = 0;
        foreach (var group in groups)
        {
            Assert.Equal(group, ids.Skip(at).Take(group.Length).Order(StringComparer.Ordinal));
            at += group.Length;
        }
    }
}
