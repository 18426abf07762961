{{/* Full reference of the workflow's DAG image, 0.1.x tag convention. */}}
{{- define "dag-installer.image" -}}
{{ .Values.global.registry_url }}/{{ .Values.global.image }}:{{ .Values.global.platform_abbr }}_{{ .Values.global.platform_version }}__{{ .Values.global.version }}
{{- end -}}
