-- Advances a shared session token without ever moving it backwards.
-- KEYS[1]: the key; ARGV[1]: the new token; ARGV[2]: the TTL in milliseconds.
-- Merges the stored token and the new one by the rule of SessionTokenRange.Merge (src/Shared/SessionToken.cs),
-- which a test holds this script against: per range, the version and the global LSN each by maximum;
-- the region LSNs of the higher version, each raised to the other entry's LSN for that region, or, when
-- the versions are equal, every region either names at its maximum. Numbers are compared as numbers but
-- written back as the texts they came from, so no precision or formatting is lost. Stores the merge
-- with the TTL and returns it.

local current = redis.call('GET', KEYS[1])

-- The common case, one range without region LSNs on both sides, builds no tables: the script runs
-- on Redis's single thread for every write.
local ni, nv, ng = string.match(ARGV[1], '^(%d+):(-?%d+)#(%d+)$')
if ni then
  if not current then
    redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
    return ARGV[1]
  end
  local ci, cv, cg = string.match(current, '^(%d+):(-?%d+)#(%d+)$')
  if ci == ni then
    local v = tonumber(nv) > tonumber(cv) and nv or cv
    local g = tonumber(ng) > tonumber(cg) and ng or cg
    if v == cv and g == cg then
      redis.call('PEXPIRE', KEYS[1], ARGV[2])
      return current
    end
    local merged = ni .. ':' .. v .. '#' .. g
    redis.call('SET', KEYS[1], merged, 'PX', ARGV[2])
    return merged
  end
end

local function merge(a, b)
  local high, low = a, b
  if b.v > a.v then high, low = b, a end
  local regions = {}
  for r, l in pairs(high.regions) do
    local other = low.regions[r]
    regions[r] = (other and other.n > l.n) and other or l
  end
  if a.v == b.v then
    for r, l in pairs(low.regions) do
      if not regions[r] then regions[r] = l end
    end
  end
  local merged = { v = a.v, vt = a.vt, g = a.g, gt = a.gt, regions = regions }
  if b.v > a.v then merged.v, merged.vt = b.v, b.vt end
  if b.g > a.g then merged.g, merged.gt = b.g, b.gt end
  return merged
end

local order, ranges = {}, {}
local function absorb(text)
  for entry in string.gmatch(text, '[^,]+') do
    local id, rest = string.match(entry, '^([^:]+):(.+)$')
    if id then
      local fields = {}
      for field in string.gmatch(rest, '[^#]+') do fields[#fields + 1] = field end
      local range = { v = tonumber(fields[1]), g = tonumber(fields[2]), vt = fields[1], gt = fields[2], regions = {} }
      if range.v and range.g then
        for i = 3, #fields do
          local r, l = string.match(fields[i], '^(%d+)=(%d+)$')
          if r then range.regions[tonumber(r)] = { n = tonumber(l), text = l } end
        end
        local seen = ranges[id]
        if seen then
          ranges[id] = merge(seen, range)
        else
          order[#order + 1] = id
          ranges[id] = range
        end
      end
    end
  end
end

if current then absorb(current) end
absorb(ARGV[1])
local out = {}
for _, id in ipairs(order) do
  local range = ranges[id]
  local text = id .. ':' .. range.vt .. '#' .. range.gt
  local ids = {}
  for r in pairs(range.regions) do ids[#ids + 1] = r end
  table.sort(ids)
  for _, r in ipairs(ids) do text = text .. '#' .. r .. '=' .. range.regions[r].text end
  out[#out + 1] = text
end
local merged = table.concat(out, ',')
if merged == '' then return current end
redis.call('SET', KEYS[1], merged, 'PX', ARGV[2])
return merged
