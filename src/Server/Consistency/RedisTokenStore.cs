using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;
using StackExchange.Redis;

namespace DocStore.Server.Consistency;

/// <summary>
/// Shared session tokens in Redis. Every call is bounded by a short timeout and goes through a
/// circuit breaker, so an outage costs no latency per call once the breaker opens; no call ever
/// throws because of Redis. The connection recovers by itself when Redis returns.
/// </summary>
internal sealed partial class RedisTokenStore
{
    /// <summary>
    /// Advances a key without ever moving it backwards: merges the stored token and the new one by the
    /// rule of <see cref="SessionTokenRange.Merge"/> and stores the merge with the TTL. The script is the
    /// embedded resource Consistency/AdvanceToken.lua.
    /// </summary>
    internal static readonly string AdvanceScript = ReadScript("DocStore.Server.Consistency.AdvanceToken.lua");

    private readonly IConnectionMultiplexer _redis;
    private readonly TimeSpan _timeout;
    private readonly RedisValue _ttlMilliseconds;
    private readonly ResiliencePipeline _breaker;
    private readonly CircuitBreakerManualControl _breakerControl = new();
    private readonly CircuitBreakerStateProvider _breakerState = new();
    private readonly ConsistencyMetrics _metrics;
    private readonly ILogger<RedisTokenStore> _logger;

    public RedisTokenStore(IConnectionMultiplexer redis, IOptions<DocStoreOptions> options, ConsistencyMetrics metrics, ILogger<RedisTokenStore> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _redis = redis;
        _metrics = metrics;
        _logger = logger;
        var settings = options.Value.SessionTokens;
        _timeout = settings.RedisTimeout;
        _ttlMilliseconds = (long)settings.Ttl.TotalMilliseconds;
        _breaker = new ResiliencePipelineBuilder()
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                // Half the calls failing among at least ten in two seconds opens the breaker.
                FailureRatio = 0.5,
                MinimumThroughput = 10,
                SamplingDuration = TimeSpan.FromSeconds(2),
                BreakDuration = settings.BreakDuration,
                ManualControl = _breakerControl,
                StateProvider = _breakerState,
                // A key holding the wrong type is that key's problem, and a command the ACL refuses is a refusal, not Redis being down: neither counts here.
                ShouldHandle = new PredicateBuilder().Handle<RedisException>(e => !IsWrongType(e) && !IsDenied(e)).Handle<TimeoutException>(),
                OnOpened = args =>
                {
                    _metrics.BreakerState = (int)CircuitState.Open;
                    Log.BreakerOpened(_logger, args.BreakDuration);
                    return default;
                },
                OnHalfOpened = _ =>
                {
                    _metrics.BreakerState = (int)CircuitState.HalfOpen;
                    return default;
                },
                OnClosed = _ =>
                {
                    _metrics.BreakerState = (int)CircuitState.Closed;
                    Log.BreakerClosed(_logger);
                    return default;
                },
            })
            .Build();

        // Reads go out without the shared token while the breaker is open, and writes share nothing: once
        // the connection is back, closing the breaker at once ends that window sooner than BreakDuration.
        _redis.ConnectionRestored += (_, _) => _ = CloseBreakerAsync();
    }

    /// <summary>Closes an open breaker (the connection to Redis was restored); a closed one is left alone.</summary>
    private async Task CloseBreakerAsync()
    {
        if (_breakerState.CircuitState is CircuitState.Open or CircuitState.HalfOpen)
        {
            await _breakerControl.CloseAsync().ConfigureAwait(false);
        }
    }

    /// <summary>The token stored under <paramref name="key"/>; <c>Available</c> is false when Redis could not answer.</summary>
    public async ValueTask<(bool Available, string? Token)> GetAsync(string key, CancellationToken cancellationToken)
    {
        var outcome = await RunAsync(
            static (state, cancellationToken) => state.Self._redis.GetDatabase().StringGetAsync(state.key).WaitAsync(state.Self._timeout, cancellationToken),
            (Self: this, key),
            cancellationToken);
        if (outcome.Exception is { } wrong && IsWrongType(wrong))
        {
            // Not a token: the read goes on without one, and the key is cleared for the next advance.
            _metrics.RedisError("wrong_type");
            Log.WrongType(_logger, "read");
            await ((Task)_redis.GetDatabase().KeyDeleteAsync(key).WaitAsync(_timeout, cancellationToken)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            return (true, null);
        }

        if (outcome.Exception is { } e)
        {
            return Failed(e, "read") ? (false, null) : Rethrow<(bool, string?)>(e);
        }

        return (true, outcome.Result.IsNull ? null : (string?)outcome.Result);
    }

    /// <summary>
    /// Merges <paramref name="token"/> into the key (see <see cref="AdvanceScript"/>). False when Redis
    /// could not take it. Not cancellable: the write it follows has happened, and others need its token.
    /// </summary>
    public async ValueTask<bool> AdvanceAsync(string key, string token)
    {
        var outcome = await AdvanceOnceAsync(key, token);
        if (outcome.Exception is { } wrong && IsWrongType(wrong))
        {
            // The key holds something else than a token (a list, a hash): replace it with this token.
            _metrics.RedisError("wrong_type");
            Log.WrongType(_logger, "advance");
            await ((Task)_redis.GetDatabase().KeyDeleteAsync(key).WaitAsync(_timeout)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            outcome = await AdvanceOnceAsync(key, token);
        }

        return outcome.Exception is not { } e || (Failed(e, "advance") ? false : Rethrow<bool>(e));
    }

    /// <summary>Whether Redis refused a command because the key holds another type (WRONGTYPE).</summary>
    private static bool IsWrongType(Exception e) =>
        e is RedisServerException && e.Message.StartsWith("WRONGTYPE", StringComparison.Ordinal);

    private ValueTask<Outcome<RedisResult>> AdvanceOnceAsync(string key, string token) =>
        RunAsync(
            static (state, _) => state.Self._redis.GetDatabase()
                .ScriptEvaluateAsync(AdvanceScript, [state.key], [state.token, state.Self._ttlMilliseconds])
                .WaitAsync(state.Self._timeout, CancellationToken.None),
            (Self: this, key, token),
            CancellationToken.None);

    /// <summary>
    /// Runs a Redis call through the circuit breaker without throwing: a timeout, a Redis fault or an
    /// open breaker comes back as the outcome's exception. When Redis is slow or down, every call takes
    /// this path, and throwing there cost a tenth of the server's CPU under load (docstore bench profile).
    /// </summary>
    private async ValueTask<Outcome<T>> RunAsync<T, TState>(Func<TState, CancellationToken, Task<T>> call, TState state, CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        try
        {
            return await _breaker.ExecuteOutcomeAsync(
                static async (context, arguments) =>
                {
                    var pending = arguments.call(arguments.state, context.CancellationToken);
                    await ((Task)pending).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                    return pending.IsCompletedSuccessfully
                        ? Outcome.FromResult(pending.Result)
                        : Outcome.FromException<T>(pending.Exception?.InnerException ?? new OperationCanceledException(context.CancellationToken));
                },
                context,
                (call, state));
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private static string ReadScript(string name)
    {
        using var stream = typeof(RedisTokenStore).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"The resource {name} is missing from the server assembly.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>
    /// StackExchange.Redis messages name the command's key (<c>key: docstore:st:…</c>, <c>next: GET …</c>),
    /// which holds a partition key: the log gets the message up to the first such detail.
    /// </summary>
    private static string WithoutKeys(string message)
    {
        var end = message.IndexOf(", ", StringComparison.Ordinal);
        var first = end < 0 ? message : message[..end];
        return first.Contains(TokenKeys.Prefix, StringComparison.Ordinal) ? "(message names a key; not logged)" : first;
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private static T Rethrow<T>(Exception e)
    {
        System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e);
        return default;
    }

    private bool Failed(Exception e, string operation)
    {
        switch (e)
        {
            case RedisServerException when IsDenied(e):
                ReportDenied(operation, e);
                return true;
            case BrokenCircuitException:
                _metrics.RedisError("breaker_open");
                return true;
            case TimeoutException:
                _metrics.RedisError("timeout");
                Log.Failed(_logger, operation, e.GetType().Name, WithoutKeys(e.Message));
                return true;
            case RedisException:
                _metrics.RedisError("error");
                Log.Failed(_logger, operation, e.GetType().Name, WithoutKeys(e.Message));
                return true;
            default:
                return false;
        }
    }
}
