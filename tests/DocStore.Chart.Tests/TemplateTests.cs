using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace DocStore.Chart.Tests;

/// <summary>
/// The templates, checked as text: the values they use exist, the settings they pass are the server's,
/// and the pieces the platform relies on are in place. The rendered output is checked by the tests that
/// run helm (<see cref="ManifestSchemaTests"/>, <see cref="CrossObjectTests"/>, <see cref="PodRunTests"/>).
/// </summary>
public sealed partial class TemplateTests
{
    private static string Template(string name) => Chart.Templates[name];

    [Fact]
    public void Every_Values_path_used_in_the_templates_exists_in_values_yaml()
    {
        var values = Chart.Values();
        var paths = Chart.Templates.Values.SelectMany(t => ValuesPath().Matches(t)).Select(m => m.Groups["path"].Value).Distinct().ToList();
        Assert.True(paths.Count > 40, $"only {paths.Count} .Values paths found");

        var missing = paths.Where(path => !Exists(values, path.Split('.', StringSplitOptions.RemoveEmptyEntries))).ToList();
        Assert.True(missing.Count == 0, "Not in values.yaml: " + string.Join(", ", missing));

        static bool Exists(JsonNode? node, IEnumerable<string> path)
        {
            foreach (var segment in path)
            {
                if (node is not JsonObject map || !map.ContainsKey(segment))
                {
                    return false;
                }

                node = map[segment];
            }

            return true;
        }
    }

    [Fact]
    public void Every_setting_the_ConfigMap_and_Deployment_pass_binds_to_a_real_server_option()
    {
        var keys = SettingNames().Where(n => n.StartsWith("DocStore__", StringComparison.Ordinal)).ToList();

        // The chart sets these at least; the list keeps the scan from passing on nothing.
        Assert.Contains("DocStore__Store", keys);
        Assert.Contains($"DocStore__Collections__{OptionsBinding.Placeholder}__PartitionKeyPath", keys);
        Assert.Contains($"DocStore__Cosmos__PreferredRegions__{OptionsBinding.Placeholder}", keys);
        Assert.Contains("DocStore__Cosmos__Key", keys);
        Assert.Contains("DocStore__Redis__Configuration", keys);
        Assert.Contains("DocStore__Metrics__Port", keys);
        Assert.Contains("DocStore__Logging__Json", keys);
        Assert.Contains("DocStore__Shutdown__GracePeriod", keys);

        var problems = keys.Select(k => OptionsBinding.Check(k.Replace("__", ":", StringComparison.Ordinal))).OfType<string>().ToList();
        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    [Theory]
    [InlineData("DocStore:Metrics:Prot")]
    [InlineData("DocStore:Cosmos:AccountKey")]
    [InlineData("DocStore:Shutdown")]
    [InlineData("DocStore:Cosmos:PreferredRegions:first")]
    [InlineData("Docstore:Store")]
    public void The_binding_check_refuses_keys_the_server_does_not_read(string key)
    {
        Assert.NotNull(OptionsBinding.Check(key));
    }

    [Fact]
    public void Besides_DocStore_settings_the_chart_sets_only_variables_the_server_reads()
    {
        var others = SettingNames().Where(n => !n.StartsWith("DocStore__", StringComparison.Ordinal)).ToHashSet();
        Assert.Equal(["ASPNETCORE_URLS", "OTEL_EXPORTER_OTLP_ENDPOINT"], others.Order(StringComparer.Ordinal));

        // ASP.NET Core reads ASPNETCORE_URLS as "urls"; the server reads that key to add the metrics port beside it.
        var operations = Path.Combine(Chart.Directory, "..", "..", "src", "Server", "Operations");
        var source = string.Concat(Directory.GetFiles(operations, "*.cs").Select(File.ReadAllText));
        Assert.Contains("configuration[\"urls\"]", source, StringComparison.Ordinal);
        Assert.Contains("\"OTEL_EXPORTER_OTLP_ENDPOINT\"", source, StringComparison.Ordinal);
    }

    [Fact]
    public void The_Deployment_rolls_without_losing_capacity_and_probes_the_named_health_services()
    {
        var deployment = Template("deployment.yaml");
        Assert.Contains("maxUnavailable: 0", deployment, StringComparison.Ordinal);
        Assert.Contains("replicas: {{ .Values.replicaCount }}", deployment, StringComparison.Ordinal);
        Assert.Equal(3, Chart.Values()["replicaCount"]!.GetValue<long>());
        // The probe port is the gRPC port, or the plaintext health port with TLS (docstore.probePort; CrossObjectTests checks both renders).
        Assert.Matches(@"livenessProbe:\s+grpc:\s+port: \{\{ include ""docstore.probePort"" \. \}\}\s+service: liveness", deployment);
        Assert.Matches(@"readinessProbe:\s+grpc:\s+port: \{\{ include ""docstore.probePort"" \. \}\}\s+service: readiness", deployment);
        Assert.Contains("ASPNETCORE_URLS", deployment, StringComparison.Ordinal);
        Assert.Contains("value: \"http://+:{{ .Values.containerPort }}\"", deployment, StringComparison.Ordinal);
        Assert.Contains("topologyKey: kubernetes.io/hostname", deployment, StringComparison.Ordinal);
        Assert.Contains("toYaml .Values.resources", deployment, StringComparison.Ordinal);
        Assert.Contains("secretKeyRef:", deployment, StringComparison.Ordinal);
        Assert.DoesNotContain("kind: Secret", string.Concat(Chart.Templates.Values), StringComparison.Ordinal);
    }

    [Fact]
    public void Termination_grace_covers_the_preStop_delay_and_the_servers_grace_period()
    {
        var deployment = Template("deployment.yaml");
        Assert.Contains("terminationGracePeriodSeconds: {{ include \"docstore.terminationGracePeriodSeconds\" . }}", deployment, StringComparison.Ordinal);
        Assert.Matches(@"preStop:\s+(#.*\s+)?sleep:\s+seconds: \{\{ \.Values\.shutdown\.preStopDelaySeconds \}\}", deployment);
        Assert.Contains("add .Values.shutdown.preStopDelaySeconds .Values.shutdown.gracePeriodSeconds .Values.shutdown.exitMarginSeconds", Template("_helpers.tpl"), StringComparison.Ordinal);

        // The server's grace period is the same value the termination grace is built from.
        Assert.Contains("DocStore__Shutdown__GracePeriod: {{ include \"docstore.timespan\" .Values.shutdown.gracePeriodSeconds | quote }}", Template("configmap.yaml"), StringComparison.Ordinal);
        var shutdown = Chart.Values()["shutdown"]!;
        Assert.Equal(new DocStore.Server.ShutdownOptions().GracePeriod.TotalSeconds, shutdown["gracePeriodSeconds"]!.GetValue<long>());
    }

    [Fact]
    public void Pods_run_non_root_on_a_read_only_root_filesystem_with_every_capability_dropped()
    {
        var values = Chart.Values();
        Assert.True(values["podSecurityContext"]!["runAsNonRoot"]!.GetValue<bool>());
        Assert.True(values["securityContext"]!["readOnlyRootFilesystem"]!.GetValue<bool>());
        Assert.False(values["securityContext"]!["allowPrivilegeEscalation"]!.GetValue<bool>());
        Assert.Equal(["ALL"], values["securityContext"]!["capabilities"]!["drop"]!.AsArray().Select(n => n!.GetValue<string>()));
        var deployment = Template("deployment.yaml");
        Assert.Contains("toYaml .Values.podSecurityContext", deployment, StringComparison.Ordinal);
        Assert.Contains("toYaml .Values.securityContext", deployment, StringComparison.Ordinal);
        Assert.Matches(@"- name: tmp\s+mountPath: /tmp", deployment);
    }

    [Fact]
    public void Services_name_the_grpc_port_and_the_headless_one_has_no_cluster_ip()
    {
        var service = Template("service.yaml");
        Assert.Contains("type: ClusterIP", service, StringComparison.Ordinal);
        Assert.Matches(@"- name: grpc\s+port: \{\{ \.Values\.service\.port \}\}\s+targetPort: grpc\s+protocol: TCP\s+appProtocol: grpc", service);
        Assert.Matches(@"- name: metrics\s+port: \{\{ \.Values\.metrics\.port \}\}", service);
        var headless = Template("service-headless.yaml");
        Assert.Contains("clusterIP: None", headless, StringComparison.Ordinal);
        Assert.Contains("appProtocol: grpc", headless, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("hpa.yaml", "apiVersion: autoscaling/v2", "kind: HorizontalPodAutoscaler", "{{- if .Values.autoscaling.enabled }}")]
    [InlineData("pdb.yaml", "apiVersion: policy/v1", "kind: PodDisruptionBudget", "{{- if .Values.podDisruptionBudget.enabled }}")]
    [InlineData("serviceaccount.yaml", "apiVersion: v1", "kind: ServiceAccount", "{{- with .Values.serviceAccount.annotations }}")]
    [InlineData("configmap.yaml", "apiVersion: v1", "kind: ConfigMap", "{{- range $name, $collection := .Values.docstore.collections }}")]
    [InlineData("networkpolicy.yaml", "apiVersion: networking.k8s.io/v1", "kind: NetworkPolicy", "{{- if .Values.networkPolicy.enabled }}")]
    [InlineData("servicemonitor.yaml", "apiVersion: monitoring.coreos.com/v1", "kind: ServiceMonitor", "{{- if .Values.metrics.serviceMonitor.enabled }}")]
    public void Each_resource_has_its_template(string file, string apiVersion, string kind, string condition)
    {
        var template = Template(file);
        Assert.Contains(apiVersion, template, StringComparison.Ordinal);
        Assert.Contains(kind, template, StringComparison.Ordinal);
        Assert.Contains(condition, template, StringComparison.Ordinal);
    }

    [Fact]
    public void The_helpers_define_what_helm_create_does_and_NOTES_show_grpcurl()
    {
        var helpers = Template("_helpers.tpl");
        foreach (var name in new[] { "docstore.name", "docstore.fullname", "docstore.chart", "docstore.labels", "docstore.selectorLabels", "docstore.serviceAccountName" })
        {
            Assert.Contains($"define \"{name}\"", helpers, StringComparison.Ordinal);
        }

        Assert.Contains("trunc 63", helpers, StringComparison.Ordinal);
        Assert.Contains("grpcurl -plaintext", Template("NOTES.txt"), StringComparison.Ordinal);
    }

    [Fact]
    public void Every_value_in_values_yaml_is_documented_with_a_dash_dash_comment()
    {
        var text = Chart.ValuesText;
        var lines = text.Split('\n');
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        var undocumented = new List<string>();
        Walk((YamlMappingNode)stream.Documents[0].RootNode, "", ancestorDocumented: false);
        Assert.True(undocumented.Count == 0, "No '# --' comment: " + string.Join(", ", undocumented));

        void Walk(YamlMappingNode map, string prefix, bool ancestorDocumented)
        {
            foreach (var (key, value) in map.Children)
            {
                var name = prefix + ((YamlScalarNode)key).Value;
                var line = (int)key.Start.Line - 2; // the line above the key, 0-based
                var documented = ancestorDocumented || (line >= 0 && lines[line].TrimStart().StartsWith("# --", StringComparison.Ordinal));
                if (value is YamlMappingNode child && child.Children.Count > 0)
                {
                    Walk(child, name + ".", documented);
                }
                else if (!documented)
                {
                    undocumented.Add(name);
                }
            }
        }
    }

    /// <summary>
    /// The environment variables the chart sets: the ConfigMap's keys (read through envFrom) and the
    /// Deployment's env names; a templated segment becomes <see cref="OptionsBinding.Placeholder"/>.
    /// </summary>
    private static List<string> SettingNames() =>
        [.. ConfigMapKey().Matches(Template("configmap.yaml")).Select(m => m.Groups["key"].Value)
            .Concat(EnvName().Matches(Template("deployment.yaml")).Select(m => m.Groups["name"].Value))
            .Select(name => TemplateAction().Replace(name, OptionsBinding.Placeholder))
            .Distinct()];

    [GeneratedRegex(@"\.Values(?<path>(\.[A-Za-z_][A-Za-z0-9_]*)+)")]
    private static partial Regex ValuesPath();

    [GeneratedRegex(@"^\s+(?<key>DocStore__(\{\{.*?\}\}|[^\s:])+):\s", RegexOptions.Multiline)]
    private static partial Regex ConfigMapKey();

    [GeneratedRegex(@"^\s+- name: (?<name>[A-Z][A-Za-z0-9_]*)\s*$", RegexOptions.Multiline)]
    private static partial Regex EnvName();

    [GeneratedRegex(@"\{\{.*?\}\}")]
    private static partial Regex TemplateAction();
}
