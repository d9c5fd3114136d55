/* version.h - hwpsim's version, printed and recorded in every report. */
#ifndef HWPSIM_CLI_VERSION_H
#define HWPSIM_CLI_VERSION_H

#define HWPSIM_VERSION "0.1.0"

#endif
