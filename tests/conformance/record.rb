# Records what Ruby Liquid 5.4 with ActiveSupport (the platform's engine) renders for every
# conformance case: `make conformance-record` runs it; tests/conformance/test_conformance.py
# compares posjobs against the file it writes (recorded.json), so the test needs no Ruby.
#
# Cases: tests/conformance/cases/*.yml, each a list of
#   {name, template, assigns?, partials?, each?, platform?, reason?}
# `each: {v: [a, b]}` expands one case per value (name[0], name[1]...), with `v` assigned.
# Templates are parsed in Liquid's default (lax) error mode and rendered with `render!`, so
# an error is recorded (class and message) instead of printed inline.
require 'json'
require 'yaml'
require 'liquid'
require 'active_support/all'

ENV['TZ'] = 'UTC'
Time.zone = 'UTC'

# Partials by name, as a case declares them.
class CaseFileSystem
  def initialize(partials)
    @partials = partials || {}
  end

  def read_template_file(name)
    @partials.fetch(name) { raise Liquid::FileSystemError, "No such template '#{name}'" }
  end
end

def expand(entry)
  each = entry['each']
  return [entry] unless each
  key, values = each.first
  values.each_with_index.map do |value, i|
    entry.reject { |k, _| k == 'each' }.merge(
      'name' => "#{entry['name']}[#{i}]",
      'assigns' => (entry['assigns'] || {}).merge(key => value)
    )
  end
end

def render(entry)
  partials = entry['partials'] || {}
  template = Liquid::Template.parse(entry['template'], line_numbers: true)
  registers = { file_system: CaseFileSystem.new(partials) }
  context = Liquid::Context.build(
    environments: [entry['assigns'] || {}], registers: registers, rethrow_errors: true
  )
  { 'output' => template.render!(context) }
rescue StandardError => e
  { 'error' => { 'class' => e.class.name, 'message' => e.message } }
end

dir = File.expand_path('cases', __dir__)
recorded = []
Dir[File.join(dir, '*.yml')].sort.each do |file|
  YAML.safe_load(File.read(file), permitted_classes: [], aliases: true).each do |case_entry|
    expand(case_entry).each do |entry|
      recorded << {
        'name' => "#{File.basename(file, '.yml')}/#{entry['name']}",
        'template' => entry['template'],
        'assigns' => entry['assigns'] || {},
        'partials' => entry['partials'] || {},
      }.merge(render(entry))
    end
  end
end

out = {
  'engine' => "Ruby Liquid #{Liquid::VERSION}, ActiveSupport #{ActiveSupport::VERSION::STRING}, " \
              "Ruby #{RUBY_VERSION}",
  'cases' => recorded,
}
File.write(File.expand_path('recorded.json', __dir__), JSON.pretty_generate(out) + "\n")
puts "#{recorded.size} cases recorded with #{out['engine']}"
