<#--
  An email: header lines (Subject:, To:), a blank line, then the body (plain text).
  To: lists the rule's recipients, else the channel's "to"; remove the line to always use "to".
  The data model is described in log.ftl.
-->
To: ${recipients?join(", ")}
Subject: [CAST AI] ${event.severity} ${event.title!event.type} (cluster ${event.clusterName!event.clusterId!"unknown"})

${event.summary!}

Event type:  ${event.type}
Severity:    ${event.severity}
Cluster:     ${event.clusterName!} ${event.clusterId!}
<#if event.details.nodeName?? && event.details.nodeName?is_string>
<#-- a sender's instanceType or lifecycle can be an object: left out rather than the template failing -->
<#assign instanceType = event.details.instanceType!"", lifecycle = event.details.lifecycle!"">
Node:        ${event.details.nodeName} ${instanceType?is_string?then(instanceType, "")} ${lifecycle?is_string?then(lifecycle, "")}
</#if>
Time:        ${event.timestamp!}
<#if consoleUrl?has_content>
Console:     ${consoleUrl}
</#if>
Event id:    ${event.id}

<#-- the event's other plain details, a line each (the text is trimmed: no details, no blank line) -->
<#list event.details as key, value>
<#if !["nodeName", "instanceType", "lifecycle"]?seq_contains(key) && (value?is_string || value?is_number || value?is_boolean) && (value?is_boolean || value?has_content)>
${key}: ${value}
</#if>
</#list>
