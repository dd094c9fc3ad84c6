{{/*
The chart's name, or nameOverride.
*/}}
{{- define "docstore.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
A fully qualified name for the release's resources, at most 63 characters (the DNS label limit).
The release name is used alone when it already contains the chart's name.
*/}}
{{- define "docstore.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/*
Chart name and version, for the helm.sh/chart label.
*/}}
{{- define "docstore.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Labels on every resource.
*/}}
{{- define "docstore.labels" -}}
helm.sh/chart: {{ include "docstore.chart" . }}
{{ include "docstore.selectorLabels" . }}
{{- if .Chart.AppVersion }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/*
Labels that select the release's pods.
*/}}
{{- define "docstore.selectorLabels" -}}
app.kubernetes.io/name: {{ include "docstore.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
The ServiceAccount the pods run as.
*/}}
{{- define "docstore.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "docstore.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
A number of seconds as a .NET TimeSpan (hh:mm:ss), the form DocStore's time settings read.
*/}}
{{- define "docstore.timespan" -}}
{{- $s := int . }}
{{- printf "%02d:%02d:%02d" (div $s 3600) (mod (div $s 60) 60) (mod $s 60) }}
{{- end }}

{{/*
A number of milliseconds (below one day) as a .NET TimeSpan (hh:mm:ss.fff).
*/}}
{{- define "docstore.timespanMilliseconds" -}}
{{- $ms := int . }}
{{- printf "%s.%03d" (include "docstore.timespan" (div $ms 1000)) (mod $ms 1000) }}
{{- end }}

{{/*
terminationGracePeriodSeconds: the preStop delay, then the server's grace period for calls in
flight (DocStore:Shutdown:GracePeriod), then a margin for the process to exit.
*/}}
{{- define "docstore.terminationGracePeriodSeconds" -}}
{{- add .Values.shutdown.preStopDelaySeconds .Values.shutdown.gracePeriodSeconds .Values.shutdown.exitMarginSeconds }}
{{- end }}

{{/*
Stops the render, naming every value the chosen settings require and that is empty, all in one
message (`required` would name only the first). helm lint reports it as a warning.
*/}}
{{- define "docstore.requireValues" -}}
{{- $missing := list }}
{{- if eq .Values.docstore.store "Cosmos" }}
{{- if not .Values.docstore.cosmos.endpoint }}{{ $missing = append $missing "docstore.cosmos.endpoint" }}{{ end }}
{{- if not .Values.docstore.cosmos.database }}{{ $missing = append $missing "docstore.cosmos.database" }}{{ end }}
{{- end }}
{{- if $missing }}
{{- required (printf "missing required values: %s (docstore.store is %s; set them, or docstore.store=Embedded to try the chart out)" (join ", " $missing) .Values.docstore.store) "" }}
{{- end }}
{{- $auth := list }}
{{- if eq .Values.auth.mode "Jwt" }}
{{- if not .Values.auth.jwt.authority }}{{ $auth = append $auth "auth.jwt.authority" }}{{ end }}
{{- if not .Values.auth.jwt.audience }}{{ $auth = append $auth "auth.jwt.audience" }}{{ end }}
{{- else if eq .Values.auth.mode "Certificate" }}
{{- if not .Values.tls.secretName }}{{ $auth = append $auth "tls.secretName" }}{{ end }}
{{- if not .Values.auth.certificate.caSecretName }}{{ $auth = append $auth "auth.certificate.caSecretName" }}{{ end }}
{{- end }}
{{- if $auth }}
{{- required (printf "missing required values: %s (auth.mode is %s; set them, or auth.mode=None to serve without authentication)" (join ", " $auth) .Values.auth.mode) "" }}
{{- end }}
{{- end }}

{{/* Where the TLS Secret, the client CA Secret and the Redis CA Secret are mounted. */}}
{{- define "docstore.tlsDirectory" -}}/etc/docstore/tls{{- end }}
{{- define "docstore.clientCaDirectory" -}}/etc/docstore/client-ca{{- end }}
{{- define "docstore.redisCaDirectory" -}}/etc/docstore/redis-ca{{- end }}

{{/* The port the probes call: the plaintext health port when TLS is on, else the gRPC port. */}}
{{- define "docstore.probePort" -}}
{{- if .Values.tls.secretName }}{{ .Values.healthPort }}{{ else }}{{ .Values.containerPort }}{{ end }}
{{- end }}
