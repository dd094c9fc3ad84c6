-- Advances a shared session token without ever moving it backwards.
-- KEYS[1]: the key; ARGV[1]: the new token; ARGV[2]: the TTL in milliseconds.
-- Merges the stored token and the new one by the rule of SessionTokenRange.Merge (src/Shared/SessionToken.cs),
-- which a test holds this script against: per range, the version and the global LSN each by maximum;
-- the region LSNs of the higher version, each raised to the other entry's LSN for that region, or, when
-- the versions are equal, every region either names at its maximum. Stores the merge with the TTL and
-- returns it.
--
-- Tokens are read in exactly the language SessionToken.TryParse accepts (a property test holds the two
-- against each other): at most 4096 characters; range ids, versions, LSNs and region ids canonical
-- decimals (no sign but the version's '-', no leading zero, no '-0'), at most 15 digits (9 for region
-- ids), so that every number is exact in Lua's doubles; no range twice, no region twice in an entry.
-- A stored value outside that language (another writer's, a poisoned key) is replaced by the new token;
-- a new token outside it changes nothing. A merge that would outgrow the bound stores the new token.

local MAX_LENGTH, MAX_DIGITS, MAX_REGION_DIGITS = 4096, 15, 9

-- A canonical decimal of at most max digits, as a number; nil otherwise.
local function number(text, max)
  if text == '0' then return 0 end
  if #text <= max and string.match(text, '^[1-9]%d*$') then return tonumber(text) end
  return nil
end

-- A version: a canonical decimal, or '-' and one other than 0.
local function version(text)
  if string.sub(text, 1, 1) == '-' then
    local n = number(string.sub(text, 2), MAX_DIGITS)
    if n and n ~= 0 then return -n end
    return nil
  end
  return number(text, MAX_DIGITS)
end

-- The common case, one range without region LSNs on both sides, builds no tables: the script runs
-- on Redis's single thread for every write.
local function simple(text)
  if not text then return nil end
  local i, vt, gt = string.match(text, '^(%d+):(%-?%d+)#(%d+)$')
  if i and number(i, MAX_DIGITS) then
    local v, g = version(vt), number(gt, MAX_DIGITS)
    if v and g then return i, v, g end
  end
  return nil
end

local current = redis.call('GET', KEYS[1])
local ni, nv, ng = simple(ARGV[1])
if ni then
  if not current then
    redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
    return ARGV[1]
  end
  local ci, cv, cg = simple(current)
  if ci == ni then
    if nv <= cv and ng <= cg then
      redis.call('PEXPIRE', KEYS[1], ARGV[2])
      return current
    end
    local merged = ni .. ':' .. string.format('%d', math.max(nv, cv)) .. '#' .. string.format('%d', math.max(ng, cg))
    redis.call('SET', KEYS[1], merged, 'PX', ARGV[2])
    return merged
  end
end

-- The general case: every range, with region LSNs. nil unless text is in the language.
local function parse(text)
  if not text or #text == 0 or #text > MAX_LENGTH then return nil end
  local order, ranges = {}, {}
  for entry in string.gmatch(text .. ',', '([^,]*),') do
    local id, vt, gt, rest = string.match(entry, '^([^:]*):([^#]*)#([^#]*)(.*)$')
    if not id or not number(id, MAX_DIGITS) or ranges[id] then return nil end
    local range = { v = version(vt), g = number(gt, MAX_DIGITS), regions = {} }
    if not range.v or not range.g then return nil end
    while #rest > 0 do
      local rt, lt, tail = string.match(rest, '^#([^#=]*)=([^#]*)(.*)$')
      if not rt then return nil end
      local r, l = number(rt, MAX_REGION_DIGITS), number(lt, MAX_DIGITS)
      if not r or not l or range.regions[r] then return nil end
      range.regions[r] = l
      rest = tail
    end
    order[#order + 1] = id
    ranges[id] = range
  end
  return { order = order, ranges = ranges }
end

local function merge(a, b)
  local high, low = a, b
  if b.v > a.v then high, low = b, a end
  local regions = {}
  for r, l in pairs(high.regions) do
    local other = low.regions[r]
    regions[r] = (other and other > l) and other or l
  end
  if a.v == b.v then
    for r, l in pairs(low.regions) do
      if not regions[r] then regions[r] = l end
    end
  end
  return { v = math.max(a.v, b.v), g = math.max(a.g, b.g), regions = regions }
end

local new = parse(ARGV[1])
if not new then return current end
local stored = parse(current)
local out = {}
if stored then
  for _, id in ipairs(new.order) do
    local seen = stored.ranges[id]
    if seen then
      stored.ranges[id] = merge(seen, new.ranges[id])
    else
      stored.order[#stored.order + 1] = id
      stored.ranges[id] = new.ranges[id]
    end
  end
  for _, id in ipairs(stored.order) do
    local range = stored.ranges[id]
    local text = id .. ':' .. string.format('%d', range.v) .. '#' .. string.format('%d', range.g)
    local ids = {}
    for r in pairs(range.regions) do ids[#ids + 1] = r end
    table.sort(ids)
    for _, r in ipairs(ids) do text = text .. '#' .. string.format('%d', r) .. '=' .. string.format('%d', range.regions[r]) end
    out[#out + 1] = text
  end
end
local merged = table.concat(out, ',')
if merged == '' or #merged > MAX_LENGTH then merged = ARGV[1] end
redis.call('SET', KEYS[1], merged, 'PX', ARGV[2])
return merged
