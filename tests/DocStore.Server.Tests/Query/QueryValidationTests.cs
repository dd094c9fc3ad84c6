using DocStore.Server.Tests.Infrastructure;
using DocStore.V1;
using Google.Protobuf.WellKnownTypes;
using static DocStore.Server.Tests.Query.ProtoFilters;
using static DocStore.V1.FieldFilter.Types;

namespace DocStore.Server.Tests.Query;

/// <summary>The limits of filters, queries and change-feed reads: INVALID_ARGUMENT naming every offending field.</summary>
public sealed class QueryValidationTests(InProcessServer server) : IClassFixture<InProcessServer>
{
    private readonly DocStoreService.DocStoreServiceClient _client = server.Client;

    private Task<QueryResponse> Query(Filter? filter = null, int pageSize = 0, params OrderBy[] orderBy) =>
        _client.QueryAsync(new QueryRequest { Collection = "items", PartitionKey = "p", Filter = filter, PageSize = pageSize, OrderBy = { orderBy } }).ResponseAsync;

    private static Filter Nested(int depth) => depth == 1 ? Field("/a", Operator.Exists) : new Filter { Not = Nested(depth - 1) };

    [Fact]
    public async Task Filters_nest_at_most_eight_levels()
    {
        await Query(Nested(8));
        await RpcAssert.InvalidAsync(() => Query(Nested(9)), "filter.not.not.not.not.not.not.not.not");
    }

    [Fact]
    public async Task A_filter_holds_at_most_fifty_field_filters()
    {
        Filter Many(int count) => new() { Any = new CompositeFilter { Filters = { Enumerable.Range(0, count).Select(i => Field($"/f{i}", Operator.Equal, "1")) } } };
        await Query(Many(50));
        await RpcAssert.InvalidAsync(() => Query(Many(51)), "filter");
    }

    [Fact]
    public async Task An_in_list_holds_one_to_a_hundred_scalars()
    {
        string List(int count) => "[" + string.Join(",", Enumerable.Range(0, count)) + "]";
        await Query(Field("/a", Operator.In, List(100)));
        await RpcAssert.InvalidAsync(() => Query(Field("/a", Operator.In, List(101))), "filter.field.value");
        await RpcAssert.InvalidAsync(() => Query(Field("/a", Operator.In, "[]")), "filter.field.value");
        await RpcAssert.InvalidAsync(() => Query(Field("/a", Operator.In, "1")), "filter.field.value");
        await RpcAssert.InvalidAsync(() => Query(Field("/a", Operator.In, """[1, {"k":1}]""")), "filter.field.value[1]");
    }

    [Fact]
    public async Task Each_operator_takes_the_values_it_can_compare()
    {
        await RpcAssert.InvalidAsync(() => Query(Field("/a", Operator.Exists, "1")), "filter.field.value");
        await RpcAssert.InvalidAsync(() => Query(Field("/a", Operator.StartsWith, "1")), "filter.field.value");
        await RpcAssert.InvalidAsync(() => Query(Field("/a", Operator.LessThan, "null")), "filter.field.value");
        await RpcAssert.InvalidAsync(() => Query(Field("/a", Operator.GreaterThan, "[1]")), "filter.field.value");
        await RpcAssert.InvalidAsync(() => Query(Field("/a", Operator.Equal, """{"k":1}""")), "filter.field.value");
        await RpcAssert.InvalidAsync(() => Query(Field("/a", Operator.Equal)), "filter.field.value");
        await RpcAssert.InvalidAsync(() => Query(Field("/a", Operator.ArrayContains)), "filter.field.value");
        await RpcAssert.InvalidAsync(() => Query(Field("/a", Operator.Unspecified, "1")), "filter.field.operator");
        await RpcAssert.InvalidAsync(() => Query(new Filter()), "filter");
        await RpcAssert.InvalidAsync(() => Query(new Filter { All = new CompositeFilter() }), "filter.all.filters");
    }

    [Fact]
    public async Task Paths_are_json_pointers_to_the_documents_own_properties()
    {
        await RpcAssert.InvalidAsync(() => Query(Field("a", Operator.Exists)), "filter.field.path");
        await RpcAssert.InvalidAsync(() => Query(Field("", Operator.Exists)), "filter.field.path");
        await RpcAssert.InvalidAsync(() => Query(Field("/a~2", Operator.Exists)), "filter.field.path");
        await RpcAssert.InvalidAsync(() => Query(Field("/_ts", Operator.Exists)), "filter.field.path");
        await RpcAssert.InvalidAsync(() => Query(orderBy: new OrderBy { Path = "x" }), "order_by[0].path");
        await Query(Field("/id", Operator.Exists), orderBy: new OrderBy { Path = "/pk" });
    }

    [Fact]
    public async Task Every_violation_is_reported_at_once()
    {
        var filter = new Filter { All = new CompositeFilter { Filters = { Field("bad", Operator.Exists), Field("/a", Operator.StartsWith, "2") } } };
        await RpcAssert.InvalidAsync(() => Query(filter, pageSize: 1001), "filter.all.filters[0].field.path", "filter.all.filters[1].field.value", "page_size");
    }

    [Fact]
    public async Task Page_size_and_order_by_have_ranges()
    {
        await Query(pageSize: 1000);
        await RpcAssert.InvalidAsync(() => Query(pageSize: -1), "page_size");
        await RpcAssert.InvalidAsync(() => Query(orderBy: [new OrderBy { Path = "/a" }, new OrderBy { Path = "/b" }, new OrderBy { Path = "/c" }]), "order_by");
    }

    [Fact]
    public async Task A_patch_condition_is_validated_with_the_patch()
    {
        await RpcAssert.InvalidAsync(
            () => _client.PatchAsync(new PatchRequest
            {
                Collection = "items",
                Id = "x",
                PartitionKey = "p",
                Operations = { new PatchOperation { Set = new SetOperation { Path = "/a", Value = Value.ForNumber(1) } } },
                Condition = Field("/a", Operator.In, "[]"),
            }).ResponseAsync,
            "condition.field.value");
    }

    [Fact]
    public async Task Change_feed_reads_take_one_start_and_a_page_size_in_range()
    {
        await RpcAssert.InvalidAsync(() => _client.ReadChangesAsync(new ReadChangesRequest { Collection = "items", MaxItems = 1001 }).ResponseAsync, "max_items");
        await RpcAssert.InvalidAsync(() => _client.ReadChangesAsync(new ReadChangesRequest { Collection = "items", FromNow = true, StartTime = Timestamp.FromDateTime(DateTime.UtcNow) }).ResponseAsync, "start_time");
        await RpcAssert.InvalidAsync(() => _client.ReadChangesAsync(new ReadChangesRequest { Collection = "items", FromNow = true, Continuation = "c1.x" }).ResponseAsync, "continuation");
        await RpcAssert.InvalidAsync(() => _client.ReadChangesAsync(new ReadChangesRequest { Collection = "items", Continuation = "garbage" }).ResponseAsync, "continuation");
    }
}
