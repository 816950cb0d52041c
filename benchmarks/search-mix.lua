-- wrk script: every request asks /search with one of 200 different queries (words, filters, sorts, pages),
-- in turn, so no two consecutive requests share a page. Built from fixed lists: every run asks the same 200.
--   wrk -s benchmarks/search-mix.lua http://127.0.0.1:5101
local words = {"food+waste", "procurement", "ecolabels", "tourism+plastics", "school+meals", "building+retrofits",
  "green+tendering", "youth+engagement", "circular+construction", "sustainable+diets", "repairability",
  "agroecology", "behaviour+change", "embodied+carbon", "life-cycle+costing", "sustainable", "governments",
  "partners+share+methods", "%22food+waste%22", "procure%2A"}
local programmes = {"spp", "ci", "st", "sle", "sbc", "sfs"}
local statuses = {"core", "affiliated", "none"}
local sorts = {"relevance", "newest", "title"}
local paths = {}
for i = 0, 199 do
  local path = "/search?q=" .. words[i % #words + 1]
  if i % 2 == 1 then path = path .. "&programme=" .. programmes[i % #programmes + 1] end
  if i % 3 == 1 then path = path .. "&sdg=" .. (i % 17 + 1) end
  if i % 5 == 2 then path = path .. "&status=" .. statuses[i % #statuses + 1] end
  if i % 7 == 3 then path = path .. "&sort=" .. sorts[i % #sorts + 1] end
  if i % 11 == 4 then path = path .. "&page=" .. (i % 4 + 2) end
  paths[#paths + 1] = path
end
local n = 0
request = function()
  n = n % #paths + 1
  return wrk.format("GET", paths[n])
end
