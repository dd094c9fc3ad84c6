using System.Diagnostics.Metrics;
using DocStore.Server.Storage;

namespace DocStore.Server.Operations;

/// <summary>
/// The service's own instruments, on the meter <c>DocStore.Server</c>: what each call cost the store,
/// and the store calls that returned no document, by kind. Prometheus shows them as
/// <c>docstore_request_charge</c> (a histogram) and <c>docstore_store_errors_total</c>.
/// </summary>
internal sealed class DocStoreMetrics
{
    /// <summary>The meter's name; the telemetry set-up subscribes to every <c>DocStore.*</c> meter.</summary>
    public const string MeterName = "DocStore.Server";

    private readonly Histogram<double> _requestCharge;
    private readonly Counter<long> _storeErrors;

    public DocStoreMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _requestCharge = meter.CreateHistogram<double>(
            "docstore.request.charge", unit: "{request_unit}", description: "Request units the store charged for each successful call, by method and collection.");
        _storeErrors = meter.CreateCounter<long>(
            "docstore.store.errors", unit: "{error}", description: "Store calls that returned no document, by method, collection and kind (error.type).");
    }

    /// <summary>Records one store call's outcome for the gRPC method <paramref name="method"/>.</summary>
    public void Record(string method, CollectionDefinition collection, StoreResult result) =>
        Record(method, collection, result.Status, result.RequestCharge);

    /// <summary>Records one store call's outcome: its charge when it succeeded, else its kind of failure.</summary>
    public void Record(string method, CollectionDefinition collection, StoreStatus status, double requestCharge)
    {
        var methodTag = new KeyValuePair<string, object?>("rpc.method", method);
        var collectionTag = new KeyValuePair<string, object?>("docstore.collection", collection.Name);
        if (status == StoreStatus.Ok)
        {
            _requestCharge.Record(requestCharge, methodTag, collectionTag);
        }
        else
        {
            _storeErrors.Add(1, methodTag, collectionTag, new KeyValuePair<string, object?>("error.type", Kind(status)));
        }
    }

    /// <summary>Records one page's outcome (Query, ReadChanges, WatchChanges).</summary>
    public void Record(string method, CollectionDefinition collection, StorePage page)
    {
        var methodTag = new KeyValuePair<string, object?>("rpc.method", method);
        var collectionTag = new KeyValuePair<string, object?>("docstore.collection", collection.Name);
        if (page.Status == StoreStatus.Ok)
        {
            _requestCharge.Record(page.RequestCharge, methodTag, collectionTag);
        }
        else
        {
            _storeErrors.Add(1, methodTag, collectionTag, new KeyValuePair<string, object?>("error.type", Kind(page.Status)));
        }
    }

    /// <summary>The <c>error.type</c> of a failed store call: a stable snake_case name.</summary>
    public static string Kind(StoreStatus status) => status switch
    {
        StoreStatus.NotFound => "not_found",
        StoreStatus.AlreadyExists => "already_exists",
        StoreStatus.PreconditionFailed => "etag_mismatch",
        StoreStatus.PatchNotApplicable => "patch_not_applicable",
        StoreStatus.TooLarge => "too_large",
        StoreStatus.Throttled => "throttled",
        StoreStatus.Unavailable => "unavailable",
        StoreStatus.SessionNotAvailable => "session_not_available",
        StoreStatus.ConditionNotMet => "condition_not_met",
        StoreStatus.InvalidContinuation => "invalid_continuation",
        _ => "other",
    };
}
