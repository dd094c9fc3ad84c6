using System.Diagnostics;
using System.Globalization;

namespace DocStore.Processes;

/// <summary>
/// A real Redis Cluster on loopback: redis-server nodes started with <c>--cluster-enabled yes</c> on free ports
/// (data and cluster-bus ports both chosen free), joined by <c>redis-cli --cluster create</c>, each master with
/// one replica so that a master killed with SIGKILL is replaced by its promoted replica. Needs redis-tools.
/// </summary>
public sealed class RedisCluster : IAsyncDisposable
{
    /// <summary>How long a node may be unreachable before the cluster fails it over, in milliseconds.</summary>
    public const int NodeTimeoutMilliseconds = 1000;

    private RedisCluster(IReadOnlyList<RedisServer> nodes) => Nodes = nodes;

    /// <summary>Every node, masters first as <c>redis-cli --cluster create</c> assigned them.</summary>
    public IReadOnlyList<RedisServer> Nodes { get; }

    /// <summary>The StackExchange.Redis configuration string: every node's endpoint.</summary>
    public string Configuration => string.Join(',', Nodes.Select(n => $"127.0.0.1:{n.Port}"));

    /// <summary>The configuration string that signs in to every node as the ACL user <paramref name="user"/>.</summary>
    public string ConfigurationFor(string user, string password) => $"{Configuration},user={user},password={password}";

    /// <summary>
    /// Starts <paramref name="masters"/> masters and as many replicas, each node with the ACL <paramref name="users"/>
    /// (redis.conf's <c>user</c> directives) beside the default user, joins them, and waits until every slot is served.
    /// </summary>
    /// <exception cref="InvalidOperationException">A node did not start, or the cluster did not form within a minute.</exception>
    public static async Task<RedisCluster> StartAsync(int masters = 3, IReadOnlyList<string>? users = null, CancellationToken cancellationToken = default)
    {
        var directory = TempFiles.NewDirectory();
        var nodes = await Task.WhenAll(Enumerable.Range(0, masters * 2).Select(_ =>
        {
            var port = FreePort.Next();
            return RedisServer.StartAsync(
                new RedisServerSettings
                {
                    Port = port,
                    Users = users ?? [],
                    Arguments =
                    [
                        "--cluster-enabled", "yes",
                        "--cluster-port", FreePort.Next().ToString(CultureInfo.InvariantCulture),
                        "--cluster-config-file", Path.Combine(directory, $"nodes-{port}.conf"),
                        "--cluster-node-timeout", NodeTimeoutMilliseconds.ToString(CultureInfo.InvariantCulture),
                        "--dir", directory,
                    ],
                },
                cancellationToken);
        }));
        var cluster = new RedisCluster(nodes);
        try
        {
            var create = await RedisCli(
                ["--cluster", "create", .. nodes.Select(n => $"127.0.0.1:{n.Port}"), "--cluster-replicas", "1", "--cluster-yes"],
                cancellationToken);
            if (create.ExitCode != 0)
            {
                throw new InvalidOperationException($"redis-cli --cluster create failed ({create.ExitCode}): {create.Output}");
            }

            await WaitUntilAsync(async () => await cluster.IsServingEverySlotAsync(cancellationToken) && (await cluster.MastersAsync(cancellationToken)).Count == masters, cancellationToken);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>The nodes that are masters now, by <c>ROLE</c>.</summary>
    public async Task<IReadOnlyList<RedisServer>> MastersAsync(CancellationToken cancellationToken = default)
    {
        var masters = new List<RedisServer>();
        foreach (var node in Nodes.Where(n => n.IsRunning))
        {
            var role = await RedisCli(["-p", node.Port.ToString(CultureInfo.InvariantCulture), "ROLE"], cancellationToken);
            if (role.ExitCode == 0 && role.Output.StartsWith("master", StringComparison.Ordinal))
            {
                masters.Add(node);
            }
        }

        return masters;
    }

    /// <summary>Whether every running node reports <c>cluster_state:ok</c> (all 16384 slots served).</summary>
    public async Task<bool> IsServingEverySlotAsync(CancellationToken cancellationToken = default)
    {
        foreach (var node in Nodes.Where(n => n.IsRunning))
        {
            var info = await RedisCli(["-p", node.Port.ToString(CultureInfo.InvariantCulture), "CLUSTER", "INFO"], cancellationToken);
            if (info.ExitCode != 0 || !info.Output.Contains("cluster_state:ok", StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Polls <paramref name="condition"/> every 200 ms until it holds.</summary>
    /// <exception cref="InvalidOperationException">It did not hold within a minute.</exception>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException("The Redis cluster did not reach the expected state within a minute.");
            }

            await Task.Delay(200, cancellationToken);
        }
    }

    /// <summary>Runs redis-cli with <paramref name="arguments"/>; returns its exit code and what it printed.</summary>
    public static async Task<(int ExitCode, string Output)> RedisCli(IEnumerable<string> arguments, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var start = new ProcessStartInfo("redis-cli") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("redis-cli did not start");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("redis-cli is not installed (apt-get install redis-tools)", e);
        }

        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var error = process.StandardError.ReadToEndAsync(cancellationToken);
            await process.WaitForExitAsync(cancellationToken);
            return (process.ExitCode, (await output) + (await error));
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        foreach (var node in Nodes)
        {
            await node.DisposeAsync();
        }
    }
}
