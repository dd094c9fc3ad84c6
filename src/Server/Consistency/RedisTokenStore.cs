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
    /// Advances a key without ever moving it backwards: parses the stored token and the new one,
    /// keeps per range the newer entry (higher version, then higher global LSN), merges region LSNs
    /// by maximum, and stores the merge with the TTL. Numbers are compared as numbers but written back
    /// as the texts they came from, so no precision or formatting is lost. The common case, one range
    /// without region LSNs on both sides, takes a short path that builds no tables: the script runs on
    /// Redis's single thread for every write.
    /// </summary>
    internal const string AdvanceScript = """
        local current = redis.call('GET', KEYS[1])
        local ni, nv, ng = string.match(ARGV[1], '^(%d+):(-?%d+)#(%d+)$')
        if ni then
          if not current then
            redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
            return ARGV[1]
          end
          local ci, cv, cg = string.match(current, '^(%d+):(-?%d+)#(%d+)$')
          if ci == ni then
            nv, cv = tonumber(nv), tonumber(cv)
            if nv > cv or (nv == cv and tonumber(ng) > tonumber(cg)) then
              redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
              return ARGV[1]
            end
            redis.call('PEXPIRE', KEYS[1], ARGV[2])
            return current
          end
        end
        local order, ranges = {}, {}
        local function absorb(text)
          for entry in string.gmatch(text, '[^,]+') do
            local id, rest = string.match(entry, '^([^:]+):(.+)$')
            if id then
              local fields = {}
              for field in string.gmatch(rest, '[^#]+') do fields[#fields + 1] = field end
              local v, g = tonumber(fields[1]), tonumber(fields[2])
              if v and g then
                local regions = {}
                for i = 3, #fields do
                  local r, l = string.match(fields[i], '^(%d+)=(%d+)$')
                  if r then regions[tonumber(r)] = { n = tonumber(l), text = l } end
                end
                local seen = ranges[id]
                if not seen then
                  order[#order + 1] = id
                  ranges[id] = { v = v, g = g, vt = fields[1], gt = fields[2], regions = regions }
                else
                  if v > seen.v or (v == seen.v and g > seen.g) then
                    seen.v, seen.g, seen.vt, seen.gt = v, g, fields[1], fields[2]
                  end
                  for r, l in pairs(regions) do
                    if not seen.regions[r] or seen.regions[r].n < l.n then seen.regions[r] = l end
                  end
                end
              end
            end
          end
        end
        if current then absorb(current) end
        absorb(ARGV[1])
        local out = {}
        for _, id in ipairs(order) do
          local range = ranges[id]
          local text = id .. ':' .. range.vt .. '#' .. range.gt
          local ids = {}
          for r in pairs(range.regions) do ids[#ids + 1] = r end
          table.sort(ids)
          for _, r in ipairs(ids) do text = text .. '#' .. r .. '=' .. range.regions[r].text end
          out[#out + 1] = text
        end
        local merged = table.concat(out, ',')
        if merged == '' then return current end
        redis.call('SET', KEYS[1], merged, 'PX', ARGV[2])
        return merged
        """;

    private readonly IConnectionMultiplexer _redis;
    private readonly TimeSpan _timeout;
    private readonly RedisValue _ttlMilliseconds;
    private readonly ResiliencePipeline _breaker;
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
                ShouldHandle = new PredicateBuilder().Handle<RedisException>().Handle<TimeoutException>(),
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
    }

    /// <summary>The token stored under <paramref name="key"/>; <c>Available</c> is false when Redis could not answer.</summary>
    public async ValueTask<(bool Available, string? Token)> GetAsync(string key, CancellationToken cancellationToken)
    {
        var outcome = await RunAsync(
            static (state, cancellationToken) => state.Self._redis.GetDatabase().StringGetAsync(state.key).WaitAsync(state.Self._timeout, cancellationToken),
            (Self: this, key),
            cancellationToken);
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
        var outcome = await RunAsync(
            static (state, _) => state.Self._redis.GetDatabase()
                .ScriptEvaluateAsync(AdvanceScript, [state.key], [state.token, state.Self._ttlMilliseconds])
                .WaitAsync(state.Self._timeout, CancellationToken.None),
            (Self: this, key, token),
            CancellationToken.None);
        return outcome.Exception is not { } e || (Failed(e, "advance") ? false : Rethrow<bool>(e));
    }

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
            case BrokenCircuitException:
                _metrics.RedisError("breaker_open");
                return true;
            case TimeoutException:
                _metrics.RedisError("timeout");
                Log.Failed(_logger, operation, e.GetType().Name, e.Message);
                return true;
            case RedisException:
                _metrics.RedisError("error");
                Log.Failed(_logger, operation, e.GetType().Name, e.Message);
                return true;
            default:
                return false;
        }
    }
}
