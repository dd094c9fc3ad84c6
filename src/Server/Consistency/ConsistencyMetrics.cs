using System.Diagnostics.Metrics;

namespace DocStore.Server.Consistency;

/// <summary>
/// The consistency layer's instruments, on the <c>DocStore.Consistency</c> meter: how often Redis had
/// a token, how it failed, the breaker's state, and reads that went out without a shared token.
/// </summary>
internal sealed class ConsistencyMetrics
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "DocStore.Consistency";

    private readonly Counter<long> _lookups;
    private readonly Counter<long> _redisErrors;
    private readonly Counter<long> _unsharedReads;
    private readonly Counter<long> _advances;

    public ConsistencyMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(MeterName);
        _lookups = meter.CreateCounter<long>(
            "docstore.session_tokens.lookups", "{lookup}", "Shared session-token lookups in Redis before a read, by result (hit, miss).");
        _redisErrors = meter.CreateCounter<long>(
            "docstore.session_tokens.redis_errors", "{error}", "Redis calls that failed, by kind (timeout, error, breaker_open).");
        _unsharedReads = meter.CreateCounter<long>(
            "docstore.session_tokens.unshared_reads", "{read}", "Reads served without the shared token because Redis was unavailable: the stale-read risk.");
        _advances = meter.CreateCounter<long>(
            "docstore.session_tokens.advances", "{write}", "Shared tokens advanced after a write, by result (ok, failed).");
        meter.CreateObservableGauge(
            "docstore.session_tokens.breaker_state", () => BreakerState, "{state}", "The Redis circuit breaker: 0 closed, 1 open, 2 half-open, 3 isolated.");
    }

    /// <summary>Read by the breaker-state gauge; set by the Redis token store.</summary>
    public int BreakerState { get; set; }

    public void Lookup(bool hit) => _lookups.Add(1, new KeyValuePair<string, object?>("result", hit ? "hit" : "miss"));

    public void RedisError(string kind) => _redisErrors.Add(1, new KeyValuePair<string, object?>("kind", kind));

    public void UnsharedRead() => _unsharedReads.Add(1);

    public void Advanced(bool ok) => _advances.Add(1, new KeyValuePair<string, object?>("result", ok ? "ok" : "failed"));
}
