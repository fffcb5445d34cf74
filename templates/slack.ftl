<#--
  The Slack message text (also the notification's fallback text). The service adds Block Kit
  blocks around it: one section per paragraph (paragraphs are separated by a blank line), the
  cluster, node, instance type and lifecycle as fields, and a link to the cluster in the console.
  Slack mrkdwn: *bold*, _italic_, <https://example.com|a link>; write &amp; &lt; &gt; for & < >.
  The event's own texts come escaped that way already: a sender's <!channel> pings nobody.
  The data model is described in log.ftl.
-->
<#assign d = event.details>
<#-- the event's other plain details (those not shown as fields), a line each -->
<#macro facts>
<#list d as key, value>
<#if !["nodeName", "instanceType", "lifecycle"]?seq_contains(key) && (value?is_string || value?is_number || value?is_boolean) && (value?is_boolean || value?has_content)>
*${key}:* ${value}
</#if>
</#list>
</#macro>
<#if event.type == "node.added">
:kubernetes: CAST AI: New <#if d.lifecycle?has_content>${d.lifecycle} </#if>node<#if d.instanceType?has_content>: ${d.instanceType}</#if>
<#elseif event.type == "node.removed">
CAST AI: Node removed<#if d.nodeName?has_content>: ${d.nodeName}</#if><#if d.action?has_content> (${d.action})</#if><#if event.clusterName?has_content> in cluster ${event.clusterName}</#if>
<#elseif event.type == "node.spot_interrupted">
:warning: CAST AI: Spot instance interrupted<#if d.nodeName?has_content>: node ${d.nodeName}</#if><#if d.instanceType?has_content> (${d.instanceType})</#if><#if event.clusterName?has_content> in cluster ${event.clusterName}</#if>
<#elseif event.type == "savings.threshold">
:moneybag: CAST AI: Savings threshold crossed<#if d.savingsImpact?? && d.savingsImpact?is_number>: ${d.savingsImpact?string["0.##"]}%<#elseif (d.savingsImpact!"")?is_string && (d.savingsImpact!"")?trim?has_content>: ${d.savingsImpact}%</#if><#if event.clusterName?has_content> in cluster ${event.clusterName}</#if>
<#elseif event.type == "savings.daily">
${event.summary!}
<#elseif event.type == "notification">
<#if event.severity.paging>:rotating_light:<#elseif event.severity == "WARNING">:warning:<#else>:information_source:</#if> CAST AI [${event.severity}] ${event.title!}<#if event.clusterName?has_content> (cluster ${event.clusterName})</#if><#if (event.summary!"") != (event.title!"")>: ${event.summary!}</#if>

<@facts/>
<#elseif event.origin == "event">
CAST AI [${event.severity}] ${event.summary!}

<@facts/>
<#else>
CAST AI ${event.type} [${event.severity}]: ${event.summary!}

<@facts/>
</#if>
