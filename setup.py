from configparser import ConfigParser
import re, setuptools, shlex

# note: all settings are in settings.ini; edit there, not here
config = ConfigParser(delimiters=['='])
config.read('settings.ini', encoding='utf-8')
cfg = config['DEFAULT']

cfg_keys = 'version description keywords author author_email'.split()
expected = cfg_keys + "lib_name user branch license status min_python python_versions audience language".split()
for o in expected: assert o in cfg, "missing expected setting: {}".format(o)
setup_cfg = {o:cfg[o] for o in cfg_keys}

# settings.ini's nbdev licence names -> SPDX licence expressions (PEP 639; no License :: classifier beside one)
licenses = {'apache2': 'Apache-2.0', 'mit': 'MIT', 'gpl2': 'GPL-2.0-only', 'gpl3': 'GPL-3.0-only', 'bsd3': 'BSD-3-Clause'}
# settings.ini's `status` is the classifier's number: 3 -> "3 - Alpha"
statuses = ['1 - Planning', '2 - Pre-Alpha', '3 - Alpha', '4 - Beta', '5 - Production/Stable', '6 - Mature', '7 - Inactive']
py_versions = cfg['python_versions'].split()  # the versions CI runs; the classifiers claim these and no others
assert cfg['min_python'] == py_versions[0], f"min_python {cfg['min_python']} must be the first of python_versions"
assert cfg['license'].lower() in licenses, f"license {cfg['license']} must be one of {list(licenses)}"

requirements = shlex.split(cfg.get('requirements', ''))
if cfg.get('pip_requirements'): requirements += shlex.split(cfg.get('pip_requirements', ''))
dev_requirements = (cfg.get('dev_requirements') or '').split()

package_data = dict()
pkg_data = cfg.get('package_data', None)
if pkg_data:
    package_data[cfg['lib_name']] = pkg_data.split()  # split as multiple files might be listed
setup_cfg['package_data'] = package_data

def absolute_links(md:str) -> str:
    "README links relative to the repository (`nbs/...`, `CONTRIBUTING.md`) made absolute: a package index page has no repo."
    blob = cfg['git_url'].rstrip('/') + '/blob/' + cfg['branch'] + '/'
    return re.sub(r'\]\((?![a-z]+:|#)([^)\s]+)\)', lambda m: f']({blob}{m.group(1)})', md)

setuptools.setup(
    name = cfg['lib_name'],
    license_expression = licenses[cfg['license'].lower()],
    license_files = ['LICENSE'],
    classifiers = [
        'Development Status :: ' + statuses[int(cfg['status']) - 1],
        'Intended Audience :: ' + cfg['audience'].title(),
        'Natural Language :: ' + cfg['language'].title(),
        'Operating System :: POSIX :: Linux',
        'Topic :: Scientific/Engineering :: Image Recognition',
    ] + ['Programming Language :: Python :: ' + o for o in py_versions],
    url = cfg['git_url'],
    project_urls = {'Documentation': cfg['doc_host'] + cfg['doc_baseurl'], 'Source': cfg['git_url'],
                    'Issues': cfg['git_url'] + '/issues'},
    packages = setuptools.find_packages(include=[cfg['lib_name'], cfg['lib_name'] + '.*']),
    include_package_data = True,
    install_requires = requirements,
    extras_require = {'dev': dev_requirements, 'crf': ['pydensecrf2'], 'onnx': ['onnx', 'onnxruntime']},
    python_requires = '>=' + cfg['min_python'],
    long_description = absolute_links(open('README.md', encoding='utf-8').read()),
    long_description_content_type = 'text/markdown',
    zip_safe = False,
    entry_points = {
        'console_scripts': cfg.get('console_scripts', '').split(),
        'nbdev': [f'{cfg.get("lib_path")}={cfg.get("lib_path")}._modidx:d']
    },
    **setup_cfg)
