<#--
  The log line for each event (channel "log", and any channel of type log without its own template).
  FreeMarker (https://freemarker.apache.org/docs/dgui.html). The data model:
    event        .id .type .severity (.severity.paging: CRITICAL or ERROR) .clusterId .clusterName
                 .timestamp .title .summary .origin, and .details.<field> (nodeName, instanceType,
                 lifecycle, action, savingsImpact, ...; a console notification's Details)
    channel      this channel's name
    consoleUrl   the cluster's page in the CAST AI console ("" when unknown)
    recipients   email only: the rule's recipients, else the channel's "to"
  A value that may be absent needs a default: ${event.details.nodeName!} or ${event.clusterName!"?"}.
  The rendered text is trimmed. Edits are picked up within 5 seconds, no restart needed.
-->
<#assign d = event.details>
<#-- a detail worth writing: a number, or text that is not only spaces (a sender's may be missing or an object) -->
<#function shown v><#return v?is_number || (v?is_string && v?trim?has_content)></#function>
<#if event.type == "node.added">
New <#if d.lifecycle?has_content>${d.lifecycle} </#if>node<#if d.instanceType?has_content>: ${d.instanceType}</#if><#if d.nodeName?has_content> (${d.nodeName})</#if><#if event.clusterName?has_content> in cluster ${event.clusterName}</#if>
<#elseif event.type == "node.removed">
Node removed<#if d.nodeName?has_content>: ${d.nodeName}</#if><#if d.action?has_content> (${d.action})</#if>
<#elseif event.type == "node.spot_interrupted">
Spot instance interrupted<#if d.nodeName?has_content>: ${d.nodeName}</#if><#if event.clusterName?has_content> in cluster ${event.clusterName}</#if>
<#elseif event.type == "savings.threshold">
Savings threshold crossed<#if d.savingsImpact?? && d.savingsImpact?is_number>: ${d.savingsImpact?string["0.##"]}%<#elseif shown(d.savingsImpact!"")>: ${d.savingsImpact}%</#if>
<#elseif event.type == "savings.daily">
${event.summary!}
<#elseif event.type?starts_with("audit.")>
Audit entry<#if shown(d.auditId!"")> ${d.auditId}</#if><#if shown(d.time!"")> at ${d.time}</#if>: <#if shown(d.eventType!"")>${d.eventType}<#else>${event.type}</#if><#if shown(d.initiatedBy!"")> by ${d.initiatedBy}</#if>
<#elseif event.type?starts_with("k8s.")>
Kubernetes event ${event.title!} (${event.severity}) on ${d.object!} in ${d.namespace!}: ${event.summary!}
<#elseif event.type == "notification">
CAST AI notification [${event.severity}] ${event.title!}<#if (event.summary!"") != (event.title!"")>: ${event.summary!}</#if>
<#else>
Unhandled event: ${event.type}<#if event.clusterName?has_content> in cluster ${event.clusterName}</#if>
</#if>
