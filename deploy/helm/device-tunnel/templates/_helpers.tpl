{{- define "device-tunnel.name" -}}
{{ .Release.Name }}-relay
{{- end -}}
