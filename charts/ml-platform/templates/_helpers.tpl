{{/* Labels on every object of the release. */}}
{{- define "ml-platform.labels" -}}
app.kubernetes.io/name: {{ .component }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/part-of: ml-platform
app.kubernetes.io/version: {{ .root.Values.imageTag | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version }}
environment: {{ .root.Values.environment }}
{{- end -}}

{{/* Pod-level security: non-root with a fixed high uid, default seccomp profile. */}}
{{- define "ml-platform.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .Values.podSecurity.runAsUser }}
runAsGroup: {{ .Values.podSecurity.runAsGroup }}
fsGroup: {{ .Values.podSecurity.runAsGroup }}
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* Container-level security: read-only root filesystem (writable /tmp is an emptyDir), no privileges. */}}
{{- define "ml-platform.containerSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .Values.podSecurity.runAsUser }}
readOnlyRootFilesystem: true
allowPrivilegeEscalation: false
capabilities:
  drop: ["ALL"]
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* The bootstrap Job's UI logins as space-separated secret=username pairs. */}}
{{- define "ml-platform.generatedLogins" -}}
{{- range $i, $login := .Values.bootstrap.generatedLogins }}{{ if $i }} {{ end }}{{ printf "%s=%s" $login.secretId $login.username }}{{ end -}}
{{- end -}}
