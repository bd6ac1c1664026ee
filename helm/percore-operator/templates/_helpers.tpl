{{/*
Chart name, overridable.
*/}}
{{- define "percore-operator.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Full name: <release>-<chart>, or just the release name when it already contains the chart name.
Truncated to 52 so that suffixes such as "-cluster-read" still fit in 63 characters.
*/}}
{{- define "percore-operator.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 52 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 52 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 52 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "percore-operator.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Labels on every object the chart creates.
*/}}
{{- define "percore-operator.labels" -}}
helm.sh/chart: {{ include "percore-operator.chart" . }}
{{ include "percore-operator.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: percore
{{- end }}

{{/*
Selector labels: stable across upgrades, so never include the version here.
*/}}
{{- define "percore-operator.selectorLabels" -}}
app.kubernetes.io/name: {{ include "percore-operator.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: operator
{{- end }}

{{- define "percore-operator.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "percore-operator.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create=false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
Image reference: a digest wins over a tag; the tag defaults to the chart's appVersion.
*/}}
{{- define "percore-operator.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/*
Rules for the namespaced kinds the operator reconciles and owns. Shared by the ClusterRole
(all namespaces) and the per-namespace Roles (watchNamespaces), so both modes grant exactly
the same verbs.
*/}}
{{- define "percore-operator.namespacedRules" -}}
- apiGroups: ["percore.io"]
  resources: ["percoreservices"]
  # get: JOSDK re-reads the primary after a conflicting (409) finalizer or status patch
  verbs: ["get", "list", "watch", "patch"]
- apiGroups: ["percore.io"]
  resources: ["percoreservices/status"]
  verbs: ["patch"]
# Children carry an owner reference with blockOwnerDeletion: the OwnerReferencesPermissionEnforcement
# admission plugin requires update on the owner's finalizers to set it.
- apiGroups: ["percore.io"]
  resources: ["percoreservices/finalizers"]
  verbs: ["update"]
# Children: written (create/update: the chart runs the operator with PERCORE_SERVER_SIDE_APPLY=false),
# read back before each write (get), deleted on cleanup (delete), and watched (list/watch) so a child
# edited or deleted by hand is restored at once, not at the 5-minute resync.
- apiGroups: [""]
  resources: ["configmaps", "services"]
  verbs: ["get", "list", "watch", "create", "update", "delete"]
# endpointslices: the primary Service of a replicated service has no selector; the operator writes its one
# EndpointSlice in the step that moves the primary label (a failover is one change to kube-proxy, not two), and
# lists the Service's slices to delete one the endpoint controller left from when it had a selector.
- apiGroups: ["discovery.k8s.io"]
  resources: ["endpointslices"]
  verbs: ["get", "list", "create", "update", "delete"]
# statefulsets: the workload when spec.persistence keeps data on volume claims. No rule for
# persistentvolumeclaims: the StatefulSet controller creates the claims, and the operator never
# reads or deletes one, so it cannot lose the data even by mistake.
- apiGroups: ["apps"]
  resources: ["deployments", "statefulsets"]
  verbs: ["get", "list", "watch", "create", "update", "delete"]
- apiGroups: ["policy"]
  resources: ["poddisruptionbudgets"]
  verbs: ["get", "list", "watch", "create", "update", "delete"]
- apiGroups: ["monitoring.coreos.com"]
  resources: ["servicemonitors"]
  verbs: ["get", "create", "update", "delete"]
# Events on the PercoreServices; the same event again within minutes is counted on the first (get, patch), as client-go does.
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create", "get", "patch"]
# Replication (spec.replication): the pods of a replicated StatefulSet are watched (list/watch: a
# primary gone or unready starts the failover clock) and listed fresh before each decision; patch
# moves the percore.io/replication-role label (fence, promote; the client reads the pod first: get);
# delete rolls them one by one under updateStrategy OnDelete, replicas first. No create/update: the
# StatefulSet controller makes them.
- apiGroups: [""]
  resources: ["pods"]
  verbs: ["get", "list", "watch", "patch", "delete"]
# Secrets (operator README, "Users"): get, the pods' password (spec.auth) and the users' Secrets (spec.users), read
# fresh when a service is reconciled; list/watch, so a changed user Secret reaches the pods at once (the informer keeps
# each Secret's name and version, never its data; RBAC cannot narrow a watch to names users choose); create, the
# Secrets the operator generates once (<name>-auth, <name>-operator, <name>-replica: a password is never rewritten)
# and <name>-users, the pods' aclfile; update, <name>-users only, when the users change; delete, the operator's own,
# with their PercoreService.
- apiGroups: [""]
  resources: ["secrets"]
  verbs: ["get", "list", "watch", "create", "update", "delete"]
# Backups (spec.backup): each backup is a Job the operator creates (one at a time), reads back (get: its status;
# its pod's termination message through the pods rule above) and watches (list/watch: its end reconciles at once). No
# update or delete: a finished Job goes by its TTL, and with its PercoreService by owner reference.
- apiGroups: ["batch"]
  resources: ["jobs"]
  verbs: ["get", "list", "watch", "create"]
{{- end }}

{{/*
Cluster-scoped reads the sizing planner needs: node capacity and allocatable CPUs (informer), what the
pods already bound to each node request (an informer over every pod, as the scheduler counts them), the
NodeResourceTopology objects (per-NUMA-zone free CPUs, listed per reconcile) and one CRD (to detect
ServiceMonitor support).
*/}}
{{- define "percore-operator.clusterReadRules" -}}
- apiGroups: [""]
  resources: ["nodes"]
  verbs: ["list", "watch"]
- apiGroups: [""]
  resources: ["pods"]
  verbs: ["list", "watch"]
- apiGroups: ["topology.node.k8s.io"]
  resources: ["noderesourcetopologies"]
  verbs: ["list"]
- apiGroups: ["apiextensions.k8s.io"]
  resources: ["customresourcedefinitions"]
  verbs: ["get"]
{{- end }}
