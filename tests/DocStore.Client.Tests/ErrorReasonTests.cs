using System.Reflection;
using DocStore.Client.Tests.Infrastructure;
using Grpc.Core;

namespace DocStore.Client.Tests;

public sealed class ErrorReasonTests
{
    /// <summary>Every reason constant, with the status the server sends it with and the type the client must throw.</summary>
    public static TheoryData<string, StatusCode, Type> Reasons => new()
    {
        { DocStoreErrorReasons.DocumentNotFound, StatusCode.NotFound, typeof(DocStoreNotFoundException) },
        { DocStoreErrorReasons.CollectionNotFound, StatusCode.NotFound, typeof(DocStoreNotFoundException) },
        { DocStoreErrorReasons.InvalidArgument, StatusCode.InvalidArgument, typeof(DocStoreInvalidArgumentException) },
        { DocStoreErrorReasons.PatchNotApplicable, StatusCode.InvalidArgument, typeof(DocStoreInvalidArgumentException) },
        { DocStoreErrorReasons.ETagMismatch, StatusCode.Aborted, typeof(DocStoreETagMismatchException) },
        { DocStoreErrorReasons.DocumentExists, StatusCode.AlreadyExists, typeof(DocStoreAlreadyExistsException) },
        { DocStoreErrorReasons.ConditionNotMet, StatusCode.FailedPrecondition, typeof(DocStoreConditionNotMetException) },
        { DocStoreErrorReasons.Unauthenticated, StatusCode.Unauthenticated, typeof(DocStoreUnauthenticatedException) },
        { DocStoreErrorReasons.PermissionDenied, StatusCode.PermissionDenied, typeof(DocStorePermissionDeniedException) },
        { DocStoreErrorReasons.Throttled, StatusCode.ResourceExhausted, typeof(DocStoreThrottledException) },
        { DocStoreErrorReasons.TooManyStreams, StatusCode.ResourceExhausted, typeof(DocStoreTooManyStreamsException) },
        { DocStoreErrorReasons.StoreUnavailable, StatusCode.Unavailable, typeof(DocStoreUnavailableException) },
        { DocStoreErrorReasons.ReadSessionNotAvailable, StatusCode.NotFound, typeof(DocStoreSessionNotAvailableException) },
    };

    [Theory]
    [MemberData(nameof(Reasons))]
    public void Each_reason_maps_to_its_own_exception_type(string reason, StatusCode code, Type expected)
    {
        var e = DocStoreModelFactory.Error(code, reason, metadata: new Dictionary<string, string> { ["collection"] = "items" }, retryAfter: TimeSpan.FromSeconds(2));

        Assert.IsType(expected, e);
        Assert.Equal(reason, e.Reason);
        Assert.Equal(code, e.StatusCode);
        Assert.Equal("items", e.Metadata["collection"]);
    }

    [Fact]
    public void Every_public_reason_constant_is_mapped_and_no_reason_is_left_out()
    {
        var constants = typeof(DocStoreErrorReasons).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.Name != nameof(DocStoreErrorReasons.Domain))
            .Select(f => (string)f.GetValue(null)!)
            .Order(StringComparer.Ordinal);
        var mapped = Reasons.Select(row => (string)row[0]).Order(StringComparer.Ordinal);
        Assert.Equal(constants, mapped);

        // docs/errors.md names each reason the server sends; each has its constant.
        var errorsDoc = File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "errors.md"));
        var documented = System.Text.RegularExpressions.Regex.Matches(errorsDoc, "`([A-Z]+(?:_[A-Z]+)+)`").Select(m => m.Groups[1].Value).ToHashSet();
        Assert.NotEmpty(documented);
        Assert.Empty(documented.Except(constants));
    }

    [Fact]
    public void Retry_delays_and_deadlines_are_typed()
    {
        var streams = Assert.IsType<DocStoreTooManyStreamsException>(DocStoreModelFactory.Error(StatusCode.ResourceExhausted, DocStoreErrorReasons.TooManyStreams, retryAfter: TimeSpan.FromSeconds(3)));
        Assert.Equal(TimeSpan.FromSeconds(3), streams.RetryAfter);
        Assert.IsType<DocStoreDeadlineExceededException>(DocStoreModelFactory.Error(StatusCode.DeadlineExceeded));
        var batch = Assert.IsType<DocStoreBatchException>(DocStoreModelFactory.Error(StatusCode.Aborted, DocStoreErrorReasons.ETagMismatch, metadata: new Dictionary<string, string> { ["operation_index"] = "2" }));
        Assert.Equal(2, batch.OperationIndex);
        Assert.IsType<DocStoreETagMismatchException>(batch.OperationError);
    }

    [Fact]
    public async Task A_session_token_ahead_of_the_store_is_session_not_available_not_a_missing_document()
    {
        using var server = new TestDocStore();
        var client = DocStoreClient.Create(server.Channel);
        await client.UpsertAsync("items", new Cart("s1", "p", [], 1));

        client.SetSessionToken("items", "p", "0:-1#999999999");
        var e = await Assert.ThrowsAsync<DocStoreSessionNotAvailableException>(() => client.GetAsync<Cart>("items", "s1", "p"));

        Assert.Equal(DocStoreErrorReasons.ReadSessionNotAvailable, e.Reason);
    }

    [Fact]
    public async Task A_stream_over_the_servers_limit_is_too_many_streams_with_its_retry_delay()
    {
        using var server = TestDocStore.Create(settings: new Dictionary<string, string> { ["DocStore:ChangeFeed:MaxStreams"] = "1", ["DocStore:ChangeFeed:HeartbeatInterval"] = "00:00:00.200" });
        var client = DocStoreClient.Create(server.Channel);
        using var cancellation = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var first = client.WatchChangesAsync<Cart>("items", null, ChangeFeedPosition.Now, cancellation.Token).GetAsyncEnumerator(cancellation.Token);
        Assert.True(await first.MoveNextAsync());

        var e = await Assert.ThrowsAsync<DocStoreTooManyStreamsException>(async () =>
        {
            await foreach (var page in client.WatchChangesAsync<Cart>("items", null, ChangeFeedPosition.Now, cancellation.Token))
            {
            }
        });

        Assert.NotNull(e.RetryAfter);
        await cancellation.CancelAsync();
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "DocStore.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("DocStore.sln not found above " + AppContext.BaseDirectory);
    }
}
