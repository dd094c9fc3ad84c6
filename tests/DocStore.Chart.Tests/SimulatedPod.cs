using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.Versioning;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace DocStore.Chart.Tests;

/// <summary>
/// The container of a rendered Deployment started as a process the way the kubelet starts it: the image's
/// entrypoint and environment (read from src/Server/Dockerfile), then the container's envFrom and env
/// resolved from the rendered ConfigMap and a test Secret, the service links of the rendered Services,
/// the pod's user and group, and a filesystem where only the volume mounts are writable.
/// </summary>
/// <remarks>
/// What is simulated, since there is no container runtime: the image's filesystem is a temporary
/// directory holding the server's Release build output as /app (the Dockerfile's WORKDIR; the image
/// holds the publish output of the same project), read-only for the process; each volume mount is a
/// temporary directory, and env values that name a path under a mount are rewritten to it; the /tmp
/// mount is given to .NET through TMPDIR. When the tests run as root the process runs as the pod's
/// runAsUser/runAsGroup (setpriv), so read-only is enforced by permissions; host directories that
/// everyone may write (the host's /tmp, /dev/shm) remain writable, which a real read-only root would not be.
/// </remarks>
[UnsupportedOSPlatform("windows")]
internal sealed partial class SimulatedPod(
    Process process, string root, IReadOnlyDictionary<string, string> environment, IReadOnlySet<string> fromSecrets,
    IReadOnlyDictionary<string, string> mounts, string app, string home) : IAsyncDisposable
{
    /// <summary>The environment the aspnet base image sets (mcr.microsoft.com/dotnet/aspnet:10.0), under the Dockerfile's own ENV.</summary>
    private static readonly Dictionary<string, string> BaseImageEnvironment = new(StringComparer.Ordinal)
    {
        ["PATH"] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        ["APP_UID"] = "1654",
        ["ASPNETCORE_HTTP_PORTS"] = "8080",
        ["DOTNET_RUNNING_IN_CONTAINER"] = "true",
    };

    private readonly Process _process = process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly string _root = root;

    /// <summary>The container's environment, exactly as the process got it.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; } = environment;

    /// <summary>The variables whose values came from a Secret (never printed).</summary>
    public IReadOnlySet<string> FromSecrets { get; } = fromSecrets;

    /// <summary>Each volume mount's path in the container, and the directory standing for it.</summary>
    public IReadOnlyDictionary<string, string> Mounts { get; } = mounts;

    /// <summary>The directory standing for the image's working directory (read-only).</summary>
    public string App { get; } = app;

    /// <summary>The directory standing for the user's home in the image (read-only).</summary>
    public string Home { get; } = home;

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public string Stdout { get { lock (_stdout) { return _stdout.ToString(); } } }

    public string Output
    {
        get
        {
            lock (_stderr)
            {
                return $"{Stdout}\n--- stderr ---\n{_stderr}";
            }
        }
    }

    /// <summary>Whether nothing listens on the port on any interface (as the container's port would be).</summary>
    public static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Any, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Any, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Starts the one container of the rendered Deployment with <paramref name="secrets"/> (name → key → value) as the namespace's Secrets.</summary>
    public static SimulatedPod Start(Rendered rendered, IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> secrets)
    {
        var container = rendered.Container;
        var podSpec = rendered.PodTemplate["spec"]!.AsObject();
        var dockerfile = File.ReadAllText(Path.Combine(Tools.Root, "src", "Server", "Dockerfile"));
        var image = ImageConfig.Parse(dockerfile);

        var root = Directory.CreateTempSubdirectory("docstore-pod-").FullName;
        File.SetUnixFileMode(root, (UnixFileMode)0b111_101_101);
        var app = Path.Combine(root, "rootfs", image.WorkingDirectory.TrimStart('/'));
        CopyDirectory(ServerOutput(), app);
        var home = Directory.CreateDirectory(Path.Combine(root, "rootfs", "home", "app")).FullName;

        var mounts = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var mount in container["volumeMounts"]?.AsArray() ?? [])
        {
            var name = (string)mount!["name"]!;
            var volume = podSpec["volumes"]!.AsArray().Single(v => (string?)v!["name"] == name)!;
            Assert.True(volume["emptyDir"] is not null, $"volume {name} is not an emptyDir: not simulated");
            mounts[(string)mount["mountPath"]!] = Directory.CreateDirectory(Path.Combine(root, "volumes", name)).FullName;
        }

        var fromSecrets = new HashSet<string>(StringComparer.Ordinal);
        var environment = ContainerEnvironment(rendered, secrets, image.Environment, mounts, home, fromSecrets);

        // The pod's user and group, from the container's securityContext over the pod's.
        var user = (long?)container["securityContext"]?["runAsUser"] ?? (long?)podSpec["securityContext"]?["runAsUser"];
        var group = (long?)container["securityContext"]?["runAsGroup"] ?? (long?)podSpec["securityContext"]?["runAsGroup"];
        var fsGroup = (long?)podSpec["securityContext"]?["fsGroup"];
        var readOnlyRoot = (bool?)container["securityContext"]?["readOnlyRootFilesystem"] == true;
        Assert.True(readOnlyRoot, "the container's root filesystem is not read-only");

        var command = container["command"]?.AsArray().Select(a => (string)a!).ToList() ?? image.Entrypoint;
        var arguments = container["args"]?.AsArray().Select(a => (string)a!).ToList() ?? (container["command"] is null ? image.Command : []);
        Assert.Equal("dotnet", command[0]);
        var start = new ProcessStartInfo
        {
            WorkingDirectory = app,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var dotnet = DotnetHost();
        if (System.Environment.IsPrivilegedProcess)
        {
            Assert.True(user is > 0 && group is > 0, "runAsUser/runAsGroup are not set: the process would run as root");
            start.FileName = "setpriv";
            foreach (var argument in new[] { $"--reuid={user}", $"--regid={group}", "--clear-groups", "--", dotnet })
            {
                start.ArgumentList.Add(argument);
            }

            // fsGroup: the volumes belong to the pod's group; the image's files and the home stay root's.
            foreach (var directory in mounts.Values)
            {
                Chown(directory, user!.Value, fsGroup ?? group!.Value);
            }
        }
        else
        {
            start.FileName = dotnet;
        }

        foreach (var argument in command.Skip(1).Concat(arguments))
        {
            start.ArgumentList.Add(argument);
        }

        MakeReadOnly(Path.Combine(root, "rootfs"));
        start.Environment.Clear();
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("the server did not start");
        var pod = new SimulatedPod(process, root, environment, fromSecrets, mounts, app, home);
        process.OutputDataReceived += (_, e) => Append(pod._stdout, e.Data);
        process.ErrorDataReceived += (_, e) => Append(pod._stderr, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return pod;

        static void Append(StringBuilder buffer, string? line)
        {
            if (line is not null)
            {
                lock (buffer)
                {
                    buffer.AppendLine(line);
                }
            }
        }
    }

    /// <summary>
    /// The kubelet's order: the image's environment, then the container's envFrom sources in order, then
    /// its env entries in order, each overriding what came before; then the service links of the
    /// namespace's Services (enableServiceLinks defaults to true) and HOSTNAME.
    /// </summary>
    private static Dictionary<string, string> ContainerEnvironment(
        Rendered rendered, IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> secrets,
        IReadOnlyDictionary<string, string> imageEnvironment, Dictionary<string, string> mounts, string home, HashSet<string> fromSecrets)
    {
        var container = rendered.Container;
        var configMaps = rendered.OfKind("ConfigMap").ToDictionary(c => (string)c["metadata"]!["name"]!, c => c["data"]!.AsObject());
        var environment = new Dictionary<string, string>(BaseImageEnvironment, StringComparer.Ordinal);
        foreach (var (key, value) in imageEnvironment)
        {
            environment[key] = value;
        }

        if ((bool?)rendered.PodTemplate["spec"]!["enableServiceLinks"] != false)
        {
            AddServiceLinks(rendered, environment);
        }

        foreach (var source in container["envFrom"]?.AsArray() ?? [])
        {
            var reference = source!["configMapRef"] ?? throw new InvalidOperationException($"envFrom {source} is not simulated");
            var name = (string)reference["name"]!;
            Assert.True(configMaps.TryGetValue(name, out var data), $"envFrom names ConfigMap {name}, which is not rendered: the kubelet would fail with CreateContainerConfigError");
            foreach (var (key, value) in data)
            {
                environment[(string?)source["prefix"] + key] = (string)value!;
            }
        }

        foreach (var entry in container["env"]?.AsArray() ?? [])
        {
            var name = (string)entry!["name"]!;
            if (entry["value"] is { } value)
            {
                Assert.DoesNotContain("$(", (string)value!, StringComparison.Ordinal); // $(VAR) expansion is not simulated
                environment[name] = (string)value!;
            }
            else if (entry["valueFrom"]?["secretKeyRef"] is { } secretKeyRef)
            {
                var optional = (bool?)secretKeyRef["optional"] == true;
                var found = secrets.TryGetValue((string)secretKeyRef["name"]!, out var secret);
                Assert.True(found || optional, $"{name}: Secret {secretKeyRef["name"]} does not exist: the kubelet would fail with CreateContainerConfigError");
                if (found && secret!.TryGetValue((string)secretKeyRef["key"]!, out var secretValue))
                {
                    environment[name] = secretValue;
                    fromSecrets.Add(name);
                }
                else
                {
                    Assert.True(optional, $"{name}: key {secretKeyRef["key"]} is not in Secret {secretKeyRef["name"]}: the kubelet would fail with CreateContainerConfigError");
                }
            }
            else if (entry["valueFrom"]?["configMapKeyRef"] is { } configMapKeyRef)
            {
                var configValue = configMaps.GetValueOrDefault((string)configMapKeyRef["name"]!)?[(string)configMapKeyRef["key"]!];
                Assert.True(configValue is not null, $"{name}: no rendered ConfigMap key {configMapKeyRef}");
                environment[name] = (string)configValue!;
            }
            else
            {
                throw new InvalidOperationException($"env {entry} is not simulated");
            }
        }

        // Paths under a volume mount point at the directory standing for it (the longest mount path that holds them).
        foreach (var key in environment.Keys.ToList())
        {
            var value = environment[key];
            var mount = mounts.Keys.Where(m => value == m || value.StartsWith(m + "/", StringComparison.Ordinal)).MaxBy(m => m.Length);
            if (mount is not null)
            {
                environment[key] = mounts[mount] + value[mount.Length..];
            }
        }

        // What the container runtime adds: HOME from the image's passwd entry for the user, and HOSTNAME (the pod's name).
        // .NET's temporary directory is the /tmp mount (in the container it is /tmp itself).
        environment["HOME"] = home;
        environment["HOSTNAME"] = $"{rendered.Deployment["metadata"]!["name"]}-5d8f7c9b6-x2x7q";
        if (mounts.TryGetValue("/tmp", out var tmp))
        {
            environment["TMPDIR"] = tmp + "/";
        }

        return environment;
    }

    /// <summary>The variables the kubelet adds for each Service with a cluster IP in the namespace (and the API server's).</summary>
    private static void AddServiceLinks(Rendered rendered, Dictionary<string, string> environment)
    {
        var services = rendered.OfKind("Service").Where(s => (string?)s["spec"]!["clusterIP"] != "None")
            .Select((s, i) => (Name: (string)s["metadata"]!["name"]!, Ip: $"10.96.0.{i + 10}", Ports: s["spec"]!["ports"]!.AsArray()))
            .Append(("kubernetes", "10.96.0.1", new JsonArray(new JsonObject { ["name"] = "https", ["port"] = 443, ["protocol"] = "TCP" })));
        foreach (var (name, ip, ports) in services)
        {
            var prefix = name.ToUpperInvariant().Replace('-', '_');
            var first = ports[0]!;
            environment[$"{prefix}_SERVICE_HOST"] = ip;
            environment[$"{prefix}_SERVICE_PORT"] = first["port"]!.ToString();
            environment[$"{prefix}_PORT"] = $"{((string?)first["protocol"] ?? "TCP").ToLowerInvariant()}://{ip}:{first["port"]}";
            foreach (var port in ports)
            {
                var protocol = (string?)port!["protocol"] ?? "TCP";
                var number = port["port"]!.ToString();
                if (port["name"] is { } portName)
                {
                    environment[$"{prefix}_SERVICE_PORT_{((string)portName!).ToUpperInvariant().Replace('-', '_')}"] = number;
                }

                var link = $"{prefix}_PORT_{number}_{protocol}";
                environment[link] = $"{protocol.ToLowerInvariant()}://{ip}:{number}";
                environment[link + "_PROTO"] = protocol.ToLowerInvariant();
                environment[link + "_PORT"] = number;
                environment[link + "_ADDR"] = ip;
            }
        }
    }

    /// <summary>Sends SIGTERM, as the kubelet does after the preStop hook.</summary>
    public void Terminate()
    {
        using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-TERM", Pid.ToString(CultureInfo.InvariantCulture) } })
            ?? throw new InvalidOperationException("kill did not start");
        kill.WaitForExit();
        Assert.Equal(0, kill.ExitCode);
    }

    /// <summary>Waits for the process to exit; false when it is still running after <paramref name="timeout"/>.</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout > TimeSpan.Zero ? timeout : TimeSpan.Zero);
        try
        {
            await _process.WaitForExitAsync(cancel.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Every file and directory under <paramref name="directory"/>, relative to it.</summary>
    public static List<string> Listing(string directory) =>
        [.. Directory.GetFileSystemEntries(directory, "*", SearchOption.AllDirectories).Select(p => Path.GetRelativePath(directory, p)).Order(StringComparer.Ordinal)];

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
        _process.Dispose();
        foreach (var directory in Directory.GetDirectories(_root, "*", SearchOption.AllDirectories).Prepend(_root))
        {
            File.SetUnixFileMode(directory, (UnixFileMode)0b111_111_101);
        }

        Directory.Delete(_root, recursive: true);
    }

    /// <summary>src/Server's Release build output, as the image's /app holds the publish output.</summary>
    private static string ServerOutput()
    {
        var output = Path.Combine(Tools.Root, "src", "Server", "bin", "Release", "net10.0");
        Assert.True(File.Exists(Path.Combine(output, "DocStore.Server.dll")), $"DocStore.Server.dll is not built at {output}: build the solution in Release first");
        return output;
    }

    private static string DotnetHost() =>
        (System.Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, "dotnet")).FirstOrDefault(File.Exists)
        ?? System.Environment.ProcessPath
        ?? throw new InvalidOperationException("dotnet is not on PATH");

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    /// <summary>Directories read and traversed by all, written by none but root (files keep r--r--r-- or r-xr-xr-x at most).</summary>
    private static void MakeReadOnly(string directory)
    {
        foreach (var entry in Directory.GetDirectories(directory, "*", SearchOption.AllDirectories).Prepend(directory))
        {
            File.SetUnixFileMode(entry, (UnixFileMode)0b101_101_101);
        }
    }

    private static void Chown(string path, long user, long group)
    {
        using var chown = Process.Start(new ProcessStartInfo("chown") { ArgumentList = { $"{user}:{group}", path } }) ?? throw new InvalidOperationException("chown did not start");
        chown.WaitForExit();
        Assert.Equal(0, chown.ExitCode);
        File.SetUnixFileMode(path, (UnixFileMode)0b111_111_000 | UnixFileMode.SetGroup);
    }

    /// <summary>The final stage of a Dockerfile: its WORKDIR, ENV, ENTRYPOINT and CMD.</summary>
    private sealed record ImageConfig(string WorkingDirectory, Dictionary<string, string> Environment, List<string> Entrypoint, List<string> Command)
    {
        public static ImageConfig Parse(string dockerfile)
        {
            // Join continued lines, drop comments, keep the instructions after the last FROM.
            var lines = Regex.Replace(dockerfile, @"\\\r?\n", " ").Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
            var stage = lines.Skip(lines.FindLastIndex(l => l.StartsWith("FROM ", StringComparison.OrdinalIgnoreCase))).ToList();
            var config = new ImageConfig("/", new Dictionary<string, string>(StringComparer.Ordinal), [], []);
            foreach (var line in stage)
            {
                var (instruction, rest) = (line.Split(' ', 2)[0].ToUpperInvariant(), line.Split(' ', 2).ElementAtOrDefault(1) ?? "");
                switch (instruction)
                {
                    case "WORKDIR":
                        config = config with { WorkingDirectory = rest.Trim() };
                        break;
                    case "ENV":
                        foreach (Match pair in EnvPair().Matches(rest))
                        {
                            config.Environment[pair.Groups["key"].Value] = pair.Groups["quoted"].Success ? pair.Groups["quoted"].Value : pair.Groups["plain"].Value;
                        }

                        break;
                    case "ENTRYPOINT":
                        config = config with { Entrypoint = [.. JsonNode.Parse(rest)!.AsArray().Select(a => (string)a!)] };
                        break;
                    case "CMD":
                        config = config with { Command = [.. JsonNode.Parse(rest)!.AsArray().Select(a => (string)a!)] };
                        break;
                    default:
                        break;
                }
            }

            Assert.NotEmpty(config.Entrypoint);
            return config;
        }
    }

    [GeneratedRegex("""(?<key>[A-Za-z_][A-Za-z0-9_]*)=(?:"(?<quoted>[^"]*)"|(?<plain>\S*))""")]
    private static partial Regex EnvPair();
}
