<#--
  The body of a webhook channel. By default the normalised event as JSON (eventJson):
  {"id","type","severity","clusterId","clusterName","timestamp","title","summary","details","origin"}.
  To send your own JSON, quote text values with ?c, e.g.
    {"text": ${event.summary?c}, "cluster": ${(event.clusterName!"")?c}}
  The data model is described in log.ftl.
-->
${eventJson}
