using System.Globalization;
using System.Text.Json.Nodes;

namespace DocStore.Chart.Tests;

/// <summary>
/// What no schema checks: the rendered objects agree with each other (selectors, ports, references,
/// timings), over every variant of the matrix.
/// </summary>
public sealed class CrossObjectTests
{
    private static Dictionary<string, string> Labels(JsonNode? map) =>
        map?.AsObject().ToDictionary(p => p.Key, p => (string)p.Value!, StringComparer.Ordinal) ?? [];

    /// <summary>A matchLabels selector selects a label set when every one of its pairs is in the set (and it is not empty).</summary>
    private static void AssertSelects(Dictionary<string, string> selector, Dictionary<string, string> labels, string what)
    {
        Assert.True(selector.Count > 0, $"{what}: the selector is empty (it would select every pod)");
        var unmatched = selector.Where(p => !labels.TryGetValue(p.Key, out var value) || value != p.Value).ToList();
        Assert.True(unmatched.Count == 0, $"{what}: {string.Join(", ", unmatched)} not among the pod labels {string.Join(", ", labels)}");
    }

    private static Dictionary<string, string> PodLabels(Rendered rendered) => Labels(rendered.PodTemplate["metadata"]!["labels"]);

    private static IEnumerable<JsonObject> ContainerPorts(Rendered rendered) => rendered.Container["ports"]!.AsArray().Select(p => p!.AsObject());

    /// <summary>A port given by number or by name (IntOrString), resolved against the container's ports.</summary>
    private static JsonObject? ContainerPort(Rendered rendered, JsonNode port) =>
        port.GetValueKind() == System.Text.Json.JsonValueKind.String
            ? ContainerPorts(rendered).SingleOrDefault(p => (string?)p["name"] == (string)port!)
            : ContainerPorts(rendered).SingleOrDefault(p => (long)p["containerPort"]! == (long)port);

    [HelmTheory]
    [MemberData(nameof(Variants.Names), MemberType = typeof(Variants))]
    public async Task Each_Service_and_the_Deployment_select_the_pods_and_target_ports_the_container_has(string variant)
    {
        var rendered = await Rendered.OfAsync(variant);
        var pods = PodLabels(rendered);
        AssertSelects(Labels(rendered.Deployment["spec"]!["selector"]!["matchLabels"]), pods, "Deployment.spec.selector");

        var services = rendered.OfKind("Service").ToList();
        Assert.NotEmpty(services);
        foreach (var service in services)
        {
            var name = (string)service["metadata"]!["name"]!;
            AssertSelects(Labels(service["spec"]!["selector"]), pods, $"Service {name}");
            foreach (var port in service["spec"]!["ports"]!.AsArray())
            {
                Assert.True(ContainerPort(rendered, port!["targetPort"]!) is not null, $"Service {name} targets {port["targetPort"]}, which the container does not expose");
            }
        }
    }

    [HelmTheory]
    [MemberData(nameof(Variants.Names), MemberType = typeof(Variants))]
    public async Task Each_probe_checks_a_port_the_container_exposes_and_the_server_listens_on(string variant)
    {
        var rendered = await Rendered.OfAsync(variant);
        var container = rendered.Container;
        var listening = new Uri(((string)container["env"]!.AsArray().Single(e => (string?)e!["name"] == "ASPNETCORE_URLS")!["value"]!).Replace("+", "localhost", StringComparison.Ordinal)).Port;
        // With TLS the probes call the plaintext health port (DocStore__Health__Port), since kubelet's gRPC probes do not speak TLS.
        var settings = rendered.Single("ConfigMap")["data"]!.AsObject();
        var tls = settings.ContainsKey("DocStore__Tls__CertificatePath");
        var (expectedName, expectedPort) = tls ? ("health", long.Parse((string)settings["DocStore__Health__Port"]!, System.Globalization.CultureInfo.InvariantCulture)) : ("grpc", listening);
        foreach (var probe in new[] { "startupProbe", "livenessProbe", "readinessProbe" })
        {
            var grpc = container[probe]?["grpc"];
            Assert.True(grpc is not null, $"{probe} is not a gRPC probe");
            var port = ContainerPort(rendered, grpc["port"]!);
            Assert.True(port is not null, $"{probe} checks port {grpc["port"]}, which the container does not expose");
            Assert.Equal(expectedName, (string?)port["name"]);
            Assert.Equal(expectedPort, (long)port["containerPort"]!);
        }

        Assert.Equal("liveness", (string?)container["livenessProbe"]!["grpc"]!["service"]);
        Assert.Equal("readiness", (string?)container["readinessProbe"]!["grpc"]!["service"]);
    }

    [HelmTheory]
    [MemberData(nameof(Variants.Names), MemberType = typeof(Variants))]
    public async Task Each_file_a_setting_names_is_a_key_of_a_mounted_Secret(string variant)
    {
        var rendered = await Rendered.OfAsync(variant);
        var settings = rendered.Single("ConfigMap")["data"]!.AsObject();
        var mounts = rendered.Container["volumeMounts"]!.AsArray().ToDictionary(m => (string)m!["name"]!, m => (string)m!["mountPath"]!);
        var secretFiles = rendered.PodTemplate["spec"]!["volumes"]!.AsArray()
            .Where(v => v!["secret"] is not null)
            .SelectMany(v => v!["secret"]!["items"]!.AsArray().Select(i => $"{mounts[(string)v["name"]!]}/{(string)i!["path"]!}"))
            .ToHashSet(StringComparer.Ordinal);

        // The certificate and CA paths (TLS, the client CA, the Redis CA): each must be a file the kubelet puts there.
        var paths = settings.Where(p => p.Key.EndsWith("CaPath", StringComparison.Ordinal) || p.Key.StartsWith("DocStore__Tls__", StringComparison.Ordinal)).ToList();
        Assert.All(paths, p => Assert.True(secretFiles.Contains((string)p.Value!), $"{variant}: {p.Key}={p.Value} is in no mounted Secret ({string.Join(", ", secretFiles)})"));
        Assert.Equal(ValueOf(rendered, "redis.caSecretName") is not null, settings.ContainsKey("DocStore__Redis__TrustedCaPath"));
    }

    [HelmTheory]
    [MemberData(nameof(Variants.Names), MemberType = typeof(Variants))]
    public async Task Each_reference_names_an_object_the_chart_renders_or_the_existing_Secret(string variant)
    {
        var rendered = await Rendered.OfAsync(variant);
        var configMaps = rendered.OfKind("ConfigMap").ToDictionary(c => (string)c["metadata"]!["name"]!, c => c["data"]!.AsObject());
        var secrets = rendered.OfKind("Secret").Select(s => (string)s["metadata"]!["name"]!).ToHashSet();
        var existingSecret = ValueOf(rendered, "existingSecret.name");
        if (existingSecret is not null)
        {
            secrets.Add(existingSecret);
        }

        var container = rendered.Container;
        var references = 0;
        foreach (var source in container["envFrom"]?.AsArray() ?? [])
        {
            if (source!["configMapRef"] is { } configMapRef)
            {
                Assert.True(configMaps.ContainsKey((string)configMapRef["name"]!), $"envFrom names ConfigMap {configMapRef["name"]}, which is not rendered");
                references++;
            }

            if (source["secretRef"] is { } secretRef)
            {
                Assert.Contains((string)secretRef["name"]!, secrets);
                references++;
            }
        }

        foreach (var env in container["env"]?.AsArray() ?? [])
        {
            if (env!["valueFrom"]?["secretKeyRef"] is { } secretKeyRef)
            {
                Assert.True(secrets.Contains((string)secretKeyRef["name"]!), $"{env["name"]} reads Secret {secretKeyRef["name"]}, neither rendered nor existingSecret.name");
                references++;
            }

            if (env["valueFrom"]?["configMapKeyRef"] is { } configMapKeyRef)
            {
                Assert.True(configMaps.TryGetValue((string)configMapKeyRef["name"]!, out var data) && data.ContainsKey((string)configMapKeyRef["key"]!), $"{env["name"]} reads a key no rendered ConfigMap has");
                references++;
            }
        }

        Assert.True(references >= 1, "no reference was checked");
        Assert.Equal(existingSecret is not null, container["env"]!.AsArray().Any(e => e!["valueFrom"]?["secretKeyRef"] is not null));

        // The pods run as the ServiceAccount the chart renders, or as one named in the values.
        var serviceAccount = (string)rendered.PodTemplate["spec"]!["serviceAccountName"]!;
        if (ValueOf(rendered, "serviceAccount.create") != "false")
        {
            Assert.Contains(serviceAccount, rendered.OfKind("ServiceAccount").Select(s => (string)s["metadata"]!["name"]!));
        }
    }

    [HelmTheory]
    [MemberData(nameof(Variants.Names), MemberType = typeof(Variants))]
    public async Task The_PodDisruptionBudget_selects_the_pods_and_the_HPA_scales_the_Deployment(string variant)
    {
        var rendered = await Rendered.OfAsync(variant);
        var deploymentName = (string)rendered.Deployment["metadata"]!["name"]!;
        foreach (var pdb in rendered.OfKind("PodDisruptionBudget"))
        {
            AssertSelects(Labels(pdb["spec"]!["selector"]!["matchLabels"]), PodLabels(rendered), "PodDisruptionBudget");
        }

        foreach (var hpa in rendered.OfKind("HorizontalPodAutoscaler"))
        {
            var target = hpa["spec"]!["scaleTargetRef"]!;
            Assert.Equal(("apps/v1", "Deployment", deploymentName), ((string)target["apiVersion"]!, (string)target["kind"]!, (string)target["name"]!));
            // The HPA owns the replica count: a replicas field would fight it at every apply.
            Assert.False(rendered.Deployment["spec"]!.AsObject().ContainsKey("replicas"));
            // The autoscaler's CPU percentage is of the request, so there must be one.
            Assert.NotNull(rendered.Container["resources"]!["requests"]!["cpu"]);
        }

        Assert.Equal(ValueOf(rendered, "podDisruptionBudget.enabled") != "false", rendered.OfKind("PodDisruptionBudget").Any());
        Assert.Equal(ValueOf(rendered, "autoscaling.enabled") == "true", rendered.OfKind("HorizontalPodAutoscaler").Any());
    }

    [HelmTheory]
    [MemberData(nameof(Variants.Names), MemberType = typeof(Variants))]
    public async Task Termination_grace_covers_the_preStop_sleep_and_the_servers_grace_period(string variant)
    {
        var rendered = await Rendered.OfAsync(variant);
        var terminationGrace = (long)rendered.PodTemplate["spec"]!["terminationGracePeriodSeconds"]!;
        var preStop = (long)rendered.Container["lifecycle"]!["preStop"]!["sleep"]!["seconds"]!;
        var serverGrace = TimeSpan.Parse((string)rendered.Single("ConfigMap")["data"]!["DocStore__Shutdown__GracePeriod"]!, CultureInfo.InvariantCulture);
        var drain = rendered.Single("ConfigMap")["data"]!["DocStore__Shutdown__DrainDelay"] is { } d ? TimeSpan.Parse((string)d!, CultureInfo.InvariantCulture) : TimeSpan.Zero;

        Assert.True(preStop > 0, "no preStop sleep: endpoints would still route to a pod that is stopping");
        Assert.True(terminationGrace > preStop + (drain + serverGrace).TotalSeconds,
            $"terminationGracePeriodSeconds {terminationGrace} <= preStop {preStop} s + drain {drain} + grace {serverGrace}: the kubelet would SIGKILL calls within their grace");
    }

    [HelmFact]
    public async Task The_NetworkPolicy_admits_the_gRPC_callers_and_the_metrics_scrape_the_ServiceMonitor_makes()
    {
        var rendered = await Rendered.OfAsync("autoscaling-networkpolicy-servicemonitor");
        var policy = rendered.Single("NetworkPolicy");
        AssertSelects(Labels(policy["spec"]!["podSelector"]!["matchLabels"]), PodLabels(rendered), "NetworkPolicy.spec.podSelector");
        Assert.Equal(["Ingress"], policy["spec"]!["policyTypes"]!.AsArray().Select(t => (string)t!));
        var rules = policy["spec"]!["ingress"]!.AsArray().Select(r => r!.AsObject()).ToList();

        // A peer is admitted to a container port when a rule lists the port and a peer matching it.
        bool Admits(string containerPortName, Func<JsonNode, bool> peer) => rules.Any(rule =>
            rule["ports"]!.AsArray().Any(p => ContainerPort(rendered, p!["port"]!)?["name"]?.GetValue<string>() == containerPortName && (string?)p["protocol"] is null or "TCP")
            && rule["from"]!.AsArray().Any(f => peer(f!)));
        bool Namespace(JsonNode from, string name) =>
            Labels(from["namespaceSelector"]?["matchLabels"]).GetValueOrDefault("kubernetes.io/metadata.name") == name && from["podSelector"] is null;

        Assert.True(Admits("grpc", f => Namespace(f, "shop")), "the gRPC port is closed to the namespace allowedNamespaceLabels names");
        Assert.True(Admits("grpc", f => f["namespaceSelector"] is JsonObject { Count: 0 } && Labels(f["podSelector"]?["matchLabels"]).GetValueOrDefault("docstore-client") == "true"),
            "the gRPC port is closed to the pods allowedPodLabels names");
        Assert.True(Admits("metrics", f => Namespace(f, "monitoring")), "the metrics port is closed to the namespace metricsNamespaceLabels names");
        Assert.False(Admits("metrics", f => Namespace(f, "shop")), "the callers' namespace may scrape metrics");

        // The ServiceMonitor scrapes a Service port named in its endpoints, which leads to that admitted container port.
        var monitor = rendered.Single("ServiceMonitor");
        var endpoint = monitor["spec"]!["endpoints"]!.AsArray().Single()!;
        var scraped = rendered.OfKind("Service")
            .Where(s => Labels(monitor["spec"]!["selector"]!["matchLabels"]).All(p => Labels(s["metadata"]!["labels"]).GetValueOrDefault(p.Key) == p.Value))
            .SelectMany(s => s["spec"]!["ports"]!.AsArray())
            .Where(p => (string?)p!["name"] == (string?)endpoint["port"])
            .ToList();
        Assert.True(scraped.Count == 1, $"{scraped.Count} Service ports named {endpoint["port"]} among the Services the ServiceMonitor selects");
        Assert.Equal("metrics", (string?)ContainerPort(rendered, scraped[0]!["targetPort"]!)?["name"]);
        Assert.Equal("/metrics", (string?)endpoint["path"]);
        Assert.Equal("prometheus", (string?)monitor["metadata"]!["labels"]!["release"]);
    }

    [HelmTheory]
    [MemberData(nameof(Variants.Names), MemberType = typeof(Variants))]
    public async Task The_pod_meets_the_restricted_Pod_Security_Standard(string variant)
    {
        // The "restricted" profile's controls, as a namespace labelled pod-security.kubernetes.io/enforce=restricted applies them.
        var rendered = await Rendered.OfAsync(variant);
        var pod = rendered.PodTemplate["spec"]!;
        var container = rendered.Container;
        var context = container["securityContext"]!;
        Assert.True((bool?)context["runAsNonRoot"] ?? (bool?)pod["securityContext"]?["runAsNonRoot"], "runAsNonRoot");
        Assert.NotEqual(0L, (long?)context["runAsUser"] ?? (long?)pod["securityContext"]?["runAsUser"] ?? -1);
        Assert.False((bool?)context["allowPrivilegeEscalation"] ?? true, "allowPrivilegeEscalation");
        Assert.Contains("ALL", context["capabilities"]!["drop"]!.AsArray().Select(c => (string)c!));
        Assert.All(context["capabilities"]?["add"]?.AsArray() ?? [], c => Assert.Equal("NET_BIND_SERVICE", (string)c!));
        Assert.True((string?)(context["seccompProfile"] ?? pod["securityContext"]?["seccompProfile"])?["type"] is "RuntimeDefault" or "Localhost", "seccompProfile");
        Assert.All(pod["volumes"]!.AsArray(), v => Assert.True(v!["emptyDir"] is not null || v["configMap"] is not null || v["secret"] is not null || v["projected"] is not null, $"volume {v["name"]}"));
        foreach (var host in new[] { "hostNetwork", "hostPID", "hostIPC" })
        {
            Assert.NotEqual(true, (bool?)pod[host]);
        }

        Assert.All(container["ports"]!.AsArray(), p => Assert.Null(p!["hostPort"]));
        Assert.Null(context["privileged"]);
    }

    /// <summary>A value the variant sets with --set, or null.</summary>
    private static string? ValueOf(Rendered rendered, string key)
    {
        var arguments = rendered.Arguments;
        for (var i = 0; i + 1 < arguments.Length; i++)
        {
            if (arguments[i] == "--set" && arguments[i + 1].StartsWith(key + "=", StringComparison.Ordinal))
            {
                return arguments[i + 1][(key.Length + 1)..];
            }
        }

        return null;
    }
}
